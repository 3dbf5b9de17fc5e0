/** @module The one map from API.md's error codes to HTTP status (the API edge and the engine's replies). */
import type { ErrorCode } from "../../sdk/common/wire";

export const ERROR_STATUS: Record<ErrorCode, number> = {
  InvalidArgument: 400,
  Unauthenticated: 401,
  PermissionDenied: 403,
  NotFound: 404,
  AlreadyStarted: 409,
  FailedPrecondition: 409,
  PayloadTooLarge: 413,
  ResourceExhausted: 429,
  Internal: 500,
  Unavailable: 503,
};

export function statusOf(code: ErrorCode): number {
  return ERROR_STATUS[code];
}
