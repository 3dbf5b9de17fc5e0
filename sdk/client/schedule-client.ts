/**
 * @module `client.schedule`: create, list and address schedules over the HTTP API (API.md,
 * Schedules), as Temporal's `client.schedule`.
 * @example
 * const handle = await client.schedule.create({
 *   scheduleId: "nightly-report",
 *   spec: { cron: ["0 2 * * *"], timezone: "Europe/Berlin" },
 *   action: { startWorkflow: { workflowType: "report", input: { kind: "daily" } } },
 *   policies: { overlap: "Skip", catchupWindow: "1h" },
 * });
 * await handle.pause("maintenance");
 * const { info } = await handle.describe();
 */
import type {
  ListSchedulesResponse,
  OverlapPolicy,
  ScheduleBody,
  ScheduleDescription,
} from "../common/schedule";
import type { HttpTransport } from "./http";

export interface ListSchedulesOptions {
  /** Filters on ScheduleId, WorkflowType and Paused, e.g. `Paused = false`. */
  query?: string;
  pageSize?: number;
  nextPageToken?: string;
}

export interface BackfillOptions {
  startTime: Date | string;
  endTime: Date | string;
  /** The overlap policy of these actions (default: the schedule's). */
  overlap?: OverlapPolicy;
}

/** A schedule by id; makes no request until a method is called. */
export interface ScheduleHandle {
  readonly scheduleId: string;
  /** The schedule as stored, with its next action times, recent actions and counters. */
  describe(): Promise<ScheduleDescription>;
  /** Replaces spec, action, policies and state; acts from now on. */
  update(body: Omit<ScheduleBody, "scheduleId">): Promise<void>;
  pause(note?: string): Promise<void>;
  /** Acts from now on: the times that passed while paused are not caught up. */
  unpause(note?: string): Promise<void>;
  /** One action now, under the schedule's overlap policy or `overlap`. */
  trigger(options?: { overlap?: OverlapPolicy }): Promise<void>;
  /** Every action of [startTime, endTime] in nominal-time order (at most 1,000 per call). */
  backfill(options: BackfillOptions): Promise<{ actions: number }>;
  /** Deletes the schedule; its running workflows keep running. */
  delete(): Promise<void>;
}

export interface ScheduleClient {
  /**
   * Creates a schedule and returns its handle.
   * @throws {@link SundialApiError} `InvalidArgument` naming the bad field, `AlreadyStarted` when
   * the id is taken.
   */
  create(body: ScheduleBody): Promise<ScheduleHandle>;
  getHandle(scheduleId: string): ScheduleHandle;
  /** A page of schedules, by schedule id. */
  list(options?: ListSchedulesOptions): Promise<ListSchedulesResponse>;
}

const iso = (t: Date | string) => (t instanceof Date ? t.toISOString() : t);

class Handle implements ScheduleHandle {
  readonly #http: HttpTransport;
  readonly #path: string;
  constructor(
    http: HttpTransport,
    readonly scheduleId: string,
  ) {
    this.#http = http;
    this.#path = `/schedules/${encodeURIComponent(scheduleId)}`;
  }

  async describe(): Promise<ScheduleDescription> {
    return (
      await this.#http.send<ScheduleDescription>({
        method: "GET",
        path: this.#path,
        idempotent: true,
      })
    ).body;
  }

  async update(body: Omit<ScheduleBody, "scheduleId">): Promise<void> {
    await this.#http.send({ method: "PUT", path: this.#path, body, idempotent: true });
  }

  async pause(note?: string): Promise<void> {
    await this.#post("pause", note === undefined ? {} : { note }, true);
  }

  async unpause(note?: string): Promise<void> {
    await this.#post("unpause", note === undefined ? {} : { note }, true);
  }

  async trigger(options: { overlap?: OverlapPolicy } = {}): Promise<void> {
    await this.#post("trigger", options, false);
  }

  async backfill(options: BackfillOptions): Promise<{ actions: number }> {
    const body = {
      startTime: iso(options.startTime),
      endTime: iso(options.endTime),
      ...(options.overlap ? { overlap: options.overlap } : {}),
    };
    // A repeated backfill starts nothing twice for the times already running or done under
    // idReusePolicy RejectDuplicate; under the default it may: never retried.
    return (await this.#post<{ actions: number }>("backfill", body, false)).body;
  }

  async delete(): Promise<void> {
    await this.#http.send({ method: "DELETE", path: this.#path, idempotent: false });
  }

  #post<T>(op: string, body: unknown, idempotent: boolean) {
    return this.#http.send<T>({ method: "POST", path: `${this.#path}/${op}`, body, idempotent });
  }
}

export function createScheduleClient(http: HttpTransport): ScheduleClient {
  return {
    async create(body) {
      await http.send({ method: "POST", path: "/schedules", body, idempotent: false });
      return new Handle(http, body.scheduleId);
    },
    getHandle(scheduleId) {
      return new Handle(http, scheduleId);
    },
    async list(options = {}) {
      return (
        await http.send<ListSchedulesResponse>({
          method: "GET",
          path: "/schedules",
          query: { ...options },
          idempotent: true,
        })
      ).body;
    },
  };
}
