import { randomUUID } from 'node:crypto';
import { isMainThread } from 'node:worker_threads';
import type * as Y from 'yjs';

/**
 * The room document a version build ends with, kept in the history worker
 * so that the next build of the room goes on from it instead of loading the
 * room again from its newest snapshot and the versions after it (a few
 * milliseconds per build on a long session, and the main thread reading and
 * posting that chain). A build leaves its document under a fresh token; the
 * version builder hands the token back with the next build only if the
 * versions it made were committed and are still the newest, so a document
 * the stored history no longer matches (another instance built first, a
 * commit failed) is never used. Only in the worker thread: the thread that
 * serves sockets keeps no documents.
 */

/** Rooms whose build document the worker keeps, at most (the least recently built go first). */
const BUILD_CACHE_ROOMS = 8;
const documents = new Map<string, { token: string; doc: Y.Doc }>();

/** The room's document left under `token`, taken out of the cache (the caller keeps it again or destroys it), or `undefined`. */
export function takeBuildDoc(roomId: string, token: string): Y.Doc | undefined {
  const entry = documents.get(roomId);
  if (!entry || entry.token !== token) return undefined;
  documents.delete(roomId);
  return entry.doc;
}

/** Keeps a room's document for its next build; returns the token that names it, or `undefined` (and destroys it) on the main thread. */
export function keepBuildDoc(roomId: string, doc: Y.Doc): string | undefined {
  if (isMainThread) {
    doc.destroy();
    return undefined;
  }
  documents.get(roomId)?.doc.destroy();
  documents.delete(roomId);
  const token = randomUUID();
  documents.set(roomId, { token, doc });
  for (const [oldest, entry] of documents) {
    if (documents.size <= BUILD_CACHE_ROOMS) break;
    entry.doc.destroy();
    documents.delete(oldest);
  }
  return token;
}
