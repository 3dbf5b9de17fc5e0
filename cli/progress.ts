/** @module Progress on stderr while the CLI waits: a spinner on a terminal, dots elsewhere. */

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** A writable text stream, as `process.stderr` is. */
export interface TextOut {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * Shows that the CLI is waiting: on a terminal a spinner with the elapsed time, redrawn in
 * place and erased by {@link Progress.stop}; elsewhere (CI logs, pipes) the label and a dot a second.
 */
export class Progress {
  readonly #out: TextOut;
  readonly #label: string;
  readonly #started = Date.now();
  #timer: ReturnType<typeof setInterval> | undefined;
  #frame = 0;

  constructor(out: TextOut, label: string) {
    this.#out = out;
    this.#label = label;
    if (out.isTTY) {
      this.#draw();
      this.#timer = setInterval(() => this.#draw(), 80);
    } else {
      out.write(label);
      this.#timer = setInterval(() => out.write("."), 1000);
    }
    // A pending spinner must not keep the process alive on its own.
    this.#timer.unref?.();
  }

  #draw(): void {
    const frame = FRAMES[this.#frame++ % FRAMES.length];
    const seconds = Math.floor((Date.now() - this.#started) / 1000);
    this.#out.write(`\r\x1b[K${frame} ${this.#label} ${seconds}s`);
  }

  /** Erases the spinner (terminal) or ends the line of dots. Safe to call twice. */
  stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#out.write(this.#out.isTTY ? "\r\x1b[K" : "\n");
  }
}
