/**
 * The catalogue of error codes the REST API answers with, each with its
 * HTTP status. Every error body is `{ "error": { "code", "message" } }`.
 */
export const ERRORS = {
  invalid_json: 400,
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  room_not_found: 404,
  file_not_found: 404,
  invalid_path: 400,
  entry_file: 409,
  path_exists: 409,
  /** The room already has a run queued or running; one at a time per room. */
  run_in_progress: 409,
  /** The run is over; it can no longer be canceled. */
  run_over: 409,
  run_not_found: 404,
  /** `RUNNER=off`, or no runner could be set up: this server runs nothing. */
  runner_unavailable: 503,
  /** The room's language has no runtime on this server. */
  language_unsupported: 422,
  too_many_files: 413,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}
