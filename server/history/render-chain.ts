import { isMainThread } from 'node:worker_threads';
import * as Y from 'yjs';
import { decodeUpdateList } from './change-index.ts';
import { decompressSync } from './compression.ts';
import { RoomDocCache } from './doc-cache.ts';
import type { RenderChainIds } from './history.repository.ts';

/**
 * Rendering a room at a version in the history worker: the chain of stored
 * bytes that makes it, and the last rendered document of a few rooms, kept
 * so that scrubbing forward applies a few updates instead of a snapshot.
 */

/** What renders a room at a version: a compressed snapshot, compressed version updates, then segments' update lists (not grouped yet). */
export interface RenderChain {
  snapshot?: Uint8Array;
  updates: Uint8Array[];
  raw?: Uint8Array[];
  /** The versions it holds (`readRenderChain`): lets a render start from a cached document. */
  ids?: RenderChainIds;
}

/**
 * The room at the end of a chain. Its documents collect deleted content as a
 * room's do (they keep the deleted items' ids, which later updates may refer
 * to, and drop their text): applying is faster and snapshots are ~20%
 * smaller, and nothing in history reads deleted text.
 */
export function withDoc<T>(chain: RenderChain, read: (doc: Y.Doc) => T): T {
  const cached = renderFromCache(chain);
  if (cached?.kept) return read(cached.doc);
  const doc = cached?.doc ?? docOf(chain);
  try {
    return read(doc);
  } finally {
    doc.destroy();
  }
}

/**
 * Per room, the document of the last render, with its snapshot's version and
 * the last version applied: at most 4 rooms and 128 MiB of estimated heap.
 */
const renderCache = new RoomDocCache<{ snapshotId: number | null; lastId: number | null }>({ rooms: 4, bytes: 128 * 1024 * 1024 });

/**
 * The room at the end of `chain` from the room's last rendered document when
 * the chain only goes further from it (same snapshot, later version): only
 * the updates after that version are applied. Scrubbing a timeline forward
 * (or rendering versions in order) then costs a few updates instead of a
 * snapshot each time. Only in the worker thread (the thread that serves
 * sockets keeps no documents) and only for chains of versions. `kept` is
 * false for a document too large to keep: the caller renders from it once
 * and destroys it.
 */
function renderFromCache(chain: RenderChain): { doc: Y.Doc; kept: boolean } | undefined {
  const ids = chain.ids;
  if (!ids || isMainThread || (chain.raw?.length ?? 0) > 0) return undefined;
  let entry = renderCache.take(ids.roomId);
  let from = 0;
  if (entry) {
    const { snapshotId, lastId } = entry.meta;
    from = lastId === ids.snapshotId ? 0 : ids.updateIds.indexOf(lastId ?? NaN) + 1;
    // Another snapshot, or a version the chain does not go on from: start again from the snapshot.
    if (snapshotId !== ids.snapshotId || (from === 0 && lastId !== ids.snapshotId)) {
      entry.doc.destroy();
      entry = undefined;
    }
  }
  if (!entry) {
    const doc = new Y.Doc();
    if (chain.snapshot) Y.applyUpdate(doc, decompressSync(chain.snapshot));
    entry = { doc, meta: { snapshotId: ids.snapshotId, lastId: ids.snapshotId } };
    from = 0;
  }
  const { doc } = entry;
  doc.transact(() => {
    for (let index = from; index < chain.updates.length; index++) Y.applyUpdate(doc, decompressSync(chain.updates[index]));
  });
  const kept = renderCache.keep(ids.roomId, doc, { snapshotId: ids.snapshotId, lastId: ids.updateIds.at(-1) ?? ids.snapshotId });
  return { doc, kept };
}

/** A document holding a chain. */
export function docOf(chain: RenderChain): Y.Doc {
  const doc = new Y.Doc();
  doc.transact(() => {
    if (chain.snapshot) Y.applyUpdate(doc, decompressSync(chain.snapshot));
    for (const update of chain.updates) Y.applyUpdate(doc, decompressSync(update));
    for (const list of chain.raw ?? []) for (const update of decodeUpdateList(list)) Y.applyUpdate(doc, update);
  });
  return doc;
}
