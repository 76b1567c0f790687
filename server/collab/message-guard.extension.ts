import type { beforeHandleAwarenessPayload, beforeHandleMessagePayload, Extension } from '@hocuspocus/server';
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { CloseCode, CloseReason, CODE_TEXT, META_MAP } from '../../shared/protocol.ts';
import type { Metrics } from '../metrics.ts';
import type { ConnectionContext } from './connection-context.ts';

const SYNC = 0;
const SYNC_REPLY = 4;
/** Highest message type a client sends (Hocuspocus's Pong). */
const LAST_CLIENT_MESSAGE_TYPE = 10;
const SYNC_STEP_1 = 0;
const ROOT_TYPES = new Set([CODE_TEXT, META_MAP]);
/** Largest awareness state of one client, as JSON (cursor, selection and user fit in well under 1 KiB). */
export const MAX_AWARENESS_STATE_CHARS = 8 * 1024;
/** Awareness client ids one connection may own (a provider has one; a few allow for reconnects). */
const MAX_CLIENTS_PER_CONNECTION = 4;

/** Limits of what one connection may send. */
export interface MessageLimits {
  /** Largest code a room may reach, in characters (UTF-16 code units); `MAX_DOCUMENT_BYTES`. */
  maxDocumentChars: number;
  /** Messages a connection may send per second on average; bursts of twice that pass. 0 = no limit. */
  maxMessagesPerSecond: number;
}

/** What an update would add: characters of content, and whether it touches a root type other than ours. */
export function measureUpdate(update: Uint8Array): { insertedChars: number; foreignRoot: boolean } {
  const { structs } = Y.decodeUpdate(update);
  let insertedChars = 0;
  let foreignRoot = false;
  for (const struct of structs) {
    if (!(struct instanceof Y.Item)) continue;
    const content = struct.content;
    insertedChars += content instanceof Y.ContentString ? content.str.length : content.getLength();
    if (typeof struct.parent === 'string' && !ROOT_TYPES.has(struct.parent)) foreignRoot = true;
  }
  return { insertedChars, foreignRoot };
}

class Refusal {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {}
}

/**
 * Checks every incoming message before Hocuspocus applies it, on `/collab`
 * and `/yjs` alike: a per-connection message rate, updates that do not
 * decode or write outside the document layout, and updates that would grow
 * the code past the limit. A refused message is never applied; the socket
 * is closed with the reason (4400, 4413, 4429) and other clients carry on.
 */
export class MessageGuardExtension implements Extension {
  extensionName = 'pairpad-message-guard';
  priority = 900;
  private readonly buckets = new WeakMap<object, { tokens: number; refilledAt: number }>();

  constructor(
    private readonly limits: MessageLimits,
    private readonly metrics: Pick<Metrics, 'updatesRejected' | 'rateLimited'>,
  ) {}

  async beforeHandleMessage({ update: frame, document, connection, context }: beforeHandleMessagePayload<ConnectionContext>): Promise<void> {
    const refusal = this.check(frame, document, connection);
    if (!refusal) return;
    context?.closeSocket?.(refusal.code, refusal.reason);
    // Throwing stops Hocuspocus from applying the message.
    throw refusal;
  }

  private check(frame: Uint8Array, document: Y.Doc, connection: object): Refusal | undefined {
    if (!this.takeToken(connection)) {
      this.metrics.rateLimited.labels('messages').inc();
      return new Refusal(CloseCode.tooManyMessages, CloseReason.tooManyMessages);
    }
    let update: Uint8Array;
    try {
      const decoder = decoding.createDecoder(frame);
      decoding.readVarString(decoder);
      const type = decoding.readVarUint(decoder);
      if (type > LAST_CLIENT_MESSAGE_TYPE) throw new Error('unknown message type');
      if (type !== SYNC && type !== SYNC_REPLY) return undefined;
      if (decoding.readVarUint(decoder) === SYNC_STEP_1) return undefined;
      update = decoding.readVarUint8Array(decoder);
    } catch {
      this.metrics.updatesRejected.labels('malformed').inc();
      return new Refusal(CloseCode.malformedMessage, CloseReason.malformedMessage);
    }
    let measured;
    try {
      measured = measureUpdate(update);
    } catch {
      this.metrics.updatesRejected.labels('malformed').inc();
      return new Refusal(CloseCode.malformedMessage, CloseReason.malformedMessage);
    }
    if (measured.foreignRoot) {
      this.metrics.updatesRejected.labels('malformed').inc();
      return new Refusal(CloseCode.malformedMessage, CloseReason.malformedMessage);
    }
    if (document.getText(CODE_TEXT).length + measured.insertedChars > this.limits.maxDocumentChars) {
      this.metrics.updatesRejected.labels('document_too_large').inc();
      return new Refusal(CloseCode.documentTooLarge, CloseReason.documentTooLarge);
    }
    return undefined;
  }

  /**
   * A client may only set its own awareness state: states for client ids
   * another connection owns are dropped, as are states over 8 KiB and more
   * client ids than a provider would use. The rest of the update applies.
   */
  async beforeHandleAwareness({ connection, document, states }: beforeHandleAwarenessPayload): Promise<void> {
    if (!connection) return;
    const own = document.connections.get(connection)?.clients;
    for (const [clientId, state] of states) {
      let refused = state !== null && JSON.stringify(state).length > MAX_AWARENESS_STATE_CHARS;
      if (!refused && !own?.has(clientId)) {
        refused = (own?.size ?? 0) >= MAX_CLIENTS_PER_CONNECTION;
        for (const [other, entry] of document.connections) {
          if (refused) break;
          refused = other !== connection && entry.clients.has(clientId);
        }
      }
      if (refused) {
        states.delete(clientId);
        this.metrics.updatesRejected.labels('awareness').inc();
      }
    }
  }

  /** Token bucket per connection: `maxMessagesPerSecond` refill, twice that as burst. */
  private takeToken(connection: object): boolean {
    const rate = this.limits.maxMessagesPerSecond;
    if (rate <= 0) return true;
    const now = performance.now();
    let bucket = this.buckets.get(connection);
    if (!bucket) {
      bucket = { tokens: rate * 2, refilledAt: now };
      this.buckets.set(connection, bucket);
    }
    bucket.tokens = Math.min(rate * 2, bucket.tokens + ((now - bucket.refilledAt) / 1000) * rate);
    bucket.refilledAt = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
