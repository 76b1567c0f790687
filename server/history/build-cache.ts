import { randomUUID } from 'node:crypto';
import { isMainThread } from 'node:worker_threads';
import type * as Y from 'yjs';
import { RoomDocCache } from './doc-cache.ts';

/**
 * The room document a version build ends with, kept in the history worker
 * so that the next build of the room goes on from it instead of loading the
 * room again from its newest snapshot and the versions after it (a few
 * milliseconds per build on a long session, and the main thread reading and
 * posting that chain). A build leaves its document under a fresh token; the
 * version builder hands the token back with the next build only if the
 * versions it made were committed and are still the newest, so a document
 * the stored history no longer matches (another instance built first, a
 * commit failed) is never used. Bounded by rooms and by the documents'
 * estimated heap (`doc-cache.ts`). Only in the worker thread: the thread
 * that serves sockets keeps no documents.
 */

/** Rooms whose build document the worker keeps, at most (the least recently built go first)... */
const BUILD_CACHE_ROOMS = 8;
/** ...and their documents' estimated heap, at most. */
const BUILD_CACHE_BYTES = 128 * 1024 * 1024;

/** Build documents by room, each named by a token; see the module's comment. */
export class BuildDocCache {
  private readonly documents: RoomDocCache<string>;

  constructor(limits: { rooms: number; bytes: number } = { rooms: BUILD_CACHE_ROOMS, bytes: BUILD_CACHE_BYTES }) {
    this.documents = new RoomDocCache(limits);
  }

  /** The room's document left under `token`, taken out of the cache (the caller keeps it again or destroys it), or `undefined`. */
  take(roomId: string, token: string): Y.Doc | undefined {
    if (this.documents.peek(roomId)?.meta !== token) return undefined;
    return this.documents.take(roomId)?.doc;
  }

  /** Keeps a room's document for its next build; returns the token that names it, or `undefined` (and destroys it) when it alone is over the bytes. */
  keep(roomId: string, doc: Y.Doc): string | undefined {
    const token = randomUUID();
    if (this.documents.keep(roomId, doc, token)) return token;
    doc.destroy();
    return undefined;
  }

  /** Whether a room's document is kept (for tests). */
  has(roomId: string): boolean {
    return this.documents.peek(roomId) !== undefined;
  }
}

/** The worker thread's cache; none on the main thread, which keeps no documents. */
export const buildDocs: BuildDocCache | undefined = isMainThread ? undefined : new BuildDocCache();
