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
