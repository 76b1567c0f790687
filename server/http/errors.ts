import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ZodError } from 'zod';
import { ERRORS, type ErrorBody, type ErrorCode } from '../../shared/errors.ts';
import type { Logger } from '../log.ts';

/** A refusal with a code from the shared catalogue; the error middleware turns it into JSON. */
export class HttpError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = ERRORS[code];
  }
}

/** `invalid_request` naming the first offending field of a zod failure. */
export function invalidRequest(error: ZodError, what = 'body'): HttpError {
  const issue = error.issues[0];
  const field = issue.path.length > 0 ? issue.path.join('.') : what;
  return new HttpError('invalid_request', `${field}: ${issue.message}`);
}

function sendError(res: Parameters<RequestHandler>[1], error: HttpError): void {
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  res.status(error.status).set(error.headers).json(body);
}

/** 404 `not_found` for any route nobody answered. */
export const notFound: RequestHandler = (req) => {
  throw new HttpError('not_found', `No route for ${req.method} ${req.path}`);
};

/**
 * Turns every error into `{ error: { code, message } }`: our own errors as
 * they are, body-parser's by their type, anything else as a 500 whose
 * details stay in the log.
 */
export function handleErrors(log: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (res.headersSent) return req.socket.destroy();
    if (error instanceof HttpError) return sendError(res, error);
    switch (error?.type) {
      case 'entity.parse.failed':
        return sendError(res, new HttpError('invalid_json', 'The body is not valid JSON'));
      case 'entity.too.large':
        return sendError(res, new HttpError('payload_too_large', `The body is larger than ${error.limit} bytes`));
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return sendError(res, new HttpError('unsupported_media_type', 'Unsupported body encoding'));
      case 'request.aborted':
        return;
    }
    log.error({ err: error, method: req.method, path: req.path }, 'request failed');
    sendError(res, new HttpError('internal', 'Internal server error'));
  };
}
