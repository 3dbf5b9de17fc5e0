/** Request bodies: size (streamed, never buffered past the limit), then depth, then JSON. */
import { describe, expect, it } from "vitest";
import { ApiError } from "../../../src/api/errors";
import { parseJsonBody, readBodyText, utf8BytesExceed } from "../../../src/api/json-body";

function streamed(chunks: number, chunkBytes: number, pulled: { bytes: number }): Request {
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ >= chunks) return controller.close();
      pulled.bytes += chunkBytes;
      controller.enqueue(new Uint8Array(chunkBytes).fill(0x61));
    },
  });
  return new Request("http://x/", { method: "POST", body, duplex: "half" } as RequestInit);
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (err) {
    return err instanceof ApiError ? err.code : String(err);
  }
}

describe("readBodyText", () => {
  it("refuses a chunked body past the limit without reading it all (at most 16 MB drained)", async () => {
    const pulled = { bytes: 0 };
    const req = streamed(1000, 1 << 20, pulled); // 1 GB offered
    expect(await codeOf(readBodyText(req, 64 * 1024))).toBe("PayloadTooLarge");
    expect(pulled.bytes).toBeLessThanOrEqual(18 << 20);
  });

  it("refuses a declared content-length past the limit before reading", async () => {
    const req = new Request("http://x/", {
      method: "POST",
      body: "x".repeat(100),
      headers: { "content-length": "100" },
    });
    expect(await codeOf(readBodyText(req, 10))).toBe("PayloadTooLarge");
  });

  it("reads a body within the limit, bad UTF-8 as U+FFFD", async () => {
    const req = new Request("http://x/", {
      method: "POST",
      body: new Uint8Array([0x22, 0xff, 0x22]),
    });
    expect(await readBodyText(req, 10)).toBe('"\uFFFD"');
  });
});

describe("parseJsonBody", () => {
  it.each([
    ["", "InvalidArgument"],
    ["{", "InvalidArgument"],
    [`${"[".repeat(101)}${"]".repeat(101)}`, "InvalidArgument"],
    [`"${"x".repeat(1000)}"`, "PayloadTooLarge"],
  ])("refuses %j", async (text, code) => {
    expect(await codeOf(Promise.resolve().then(() => parseJsonBody(text, 500)))).toBe(code);
  });

  it("counts UTF-8 bytes as TextEncoder does", () => {
    for (const text of ["aé€😀", "\ud800x", "x\udc00", "😀😀"]) {
      const bytes = new TextEncoder().encode(text).byteLength;
      expect(utf8BytesExceed(text, bytes)).toBe(false);
      expect(utf8BytesExceed(text, bytes - 1)).toBe(true);
    }
  });
});
