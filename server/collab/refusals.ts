import { CloseCode, CloseReason } from '../../shared/protocol.ts';

/**
 * Thrown from a Hocuspocus hook to refuse a document. Hocuspocus sends
 * `reason` to the provider (`onAuthenticationFailed`); `code` is what a
 * socket that serves only this room closes with (see `shared/protocol.ts`).
 */
export class RoomNotFoundRefusal {
  readonly code = CloseCode.roomNotFound;
  readonly reason = CloseReason.roomNotFound;
}

/** No token, or one that is invalid or expired. */
export class UnauthorizedRefusal {
  readonly code = CloseCode.unauthorized;
  readonly reason: string;
  constructor(detail: string) {
    this.reason = `${CloseReason.unauthorized}: ${detail}`;
  }
}

/** A valid token for another room or role. */
export class ForbiddenRefusal {
  readonly code = CloseCode.forbidden;
  readonly reason: string;
  constructor(detail: string) {
    this.reason = `${CloseReason.forbidden}: ${detail}`;
  }
}
