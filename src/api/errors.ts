/** @module API errors: API.md's `{"error":{"code","message"}}` with a fitting status. Never a stack trace. */
import type { ErrorCode } from "../../sdk/common/wire";
import { ERROR_STATUS as STATUS } from "../common/error-status";

export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return STATUS[this.code];
  }

  toResponse(): Response {
    return errorResponse(this.code, this.message);
  }
}

export function errorResponse(code: ErrorCode, message: string): Response {
  return Response.json({ error: { code, message } }, { status: STATUS[code] });
}
