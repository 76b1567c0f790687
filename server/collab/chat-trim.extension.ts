import type { Extension, onStoreDocumentPayload } from '@hocuspocus/server';
import type * as Y from 'yjs';
import { CHAT_ARRAY, CHAT_KEEP } from '../../shared/protocol.ts';

/**
 * Origin of the server's chat trims: a server change like any other
 * (journaled, broadcast, relayed to other instances) that does not schedule
 * another store; the fold that follows in the same store holds it.
 */
export const CHAT_TRIM_ORIGIN = Object.freeze({ source: 'local' as const, skipStoreHooks: true, context: { chatTrim: true } });

/**
 * Keeps the latest `CHAT_KEEP` chat messages (`shared/protocol.ts`, "Chat").
 * Off the typing path: it runs when the room stores (Hocuspocus's debounced
 * `onStoreDocument`), before the persistence fold, which then stores the
 * trimmed chat. Two instances trimming the same room at once delete the
 * same oldest messages: Yjs deletes are idempotent.
 */
export class ChatTrimExtension implements Extension {
  extensionName = 'pairpad-chat-trim';
  // Before persistence (100): the fold stores the trimmed room.
  priority = 150;

  async onStoreDocument({ document }: onStoreDocumentPayload): Promise<void> {
    trimChat(document);
  }
}

/** Deletes the oldest chat messages past `keep`; returns how many. */
export function trimChat(doc: Y.Doc, keep = CHAT_KEEP): number {
  const chat = doc.share.get(CHAT_ARRAY);
  // `_length` counts live messages; a room that never chatted has no root.
  const excess = (chat?._length ?? 0) - keep;
  if (chat === undefined || excess <= 0) return 0;
  doc.transact(() => doc.getArray(CHAT_ARRAY).delete(0, excess), CHAT_TRIM_ORIGIN);
  return excess;
}
