/**
 * The worker thread of {@link RoomReplicas}: holds a copy of each large loaded
 * room's document, fed with every update the room's document got, and
 * encodes it for a fold; and splits a large room's stored state into chunks
 * for a load that yields. Messages are handled in the order they were posted.
 */
import { parentPort } from 'node:worker_threads';
import * as Y from 'yjs';
import { readRoomContent } from '../../shared/room-doc.ts';
import { ENTRY_FILE_ID } from '../../shared/protocol.ts';
import { readFileTree } from '../../shared/room-files.ts';
import type { ReplicaReply, ReplicaRequest } from './room-replicas.ts';
import { splitUpdate } from './update-chunks.ts';

const replicas = new Map<string, Y.Doc>();

function apply(roomId: string, updates: Uint8Array[]): Y.Doc {
  let doc = replicas.get(roomId);
  if (!doc) replicas.set(roomId, (doc = new Y.Doc()));
  const target = doc;
  target.transact(() => {
    for (const update of updates) Y.applyUpdate(target, update);
  });
  return target;
}

/**
 * The texts of the files `ids`, read here so the main thread does not walk
 * (and flatten) a text of megabytes for the fold's `room_files` rows. The
 * entry file's text is the room's `code`, sent once.
 */
function readFileTexts(doc: Y.Doc, ids: readonly string[]): Record<string, string> {
  if (ids.length === 0) return {};
  const wanted = new Set(ids);
  wanted.delete(ENTRY_FILE_ID);
  const texts: Record<string, string> = {};
  for (const file of readFileTree(doc).files) if (wanted.has(file.id)) texts[file.id] = file.text.toString();
  return texts;
}

function handle(request: ReplicaRequest): ReplicaReply | undefined {
  switch (request.kind) {
    case 'feed':
      apply(request.roomId, request.updates);
      return undefined;
    case 'encode': {
      try {
        const doc = apply(request.roomId, request.updates);
        const state = Y.encodeStateAsUpdate(doc);
        return { id: request.id, ok: true, state, stateVector: Y.encodeStateVector(doc), ...readRoomContent(doc), fileTexts: readFileTexts(doc, request.fileIds) };
      } catch (error) {
        // The replica may be half-applied: drop it; the room folds on the main thread from now on.
        replicas.get(request.roomId)?.destroy();
        replicas.delete(request.roomId);
        return { id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) };
      }
    }
    case 'split':
      try {
        return { id: request.id, ok: true, chunks: splitUpdate(request.state, request.structsPerChunk) };
      } catch (error) {
        return { id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) };
      }
    case 'drop':
      replicas.get(request.roomId)?.destroy();
      replicas.delete(request.roomId);
      return undefined;
    default: {
      const never: never = request;
      throw new Error(`unknown replica request ${JSON.stringify(never)}`);
    }
  }
}

parentPort!.on('message', (request: ReplicaRequest) => {
  const reply = handle(request);
  if (reply?.ok && 'chunks' in reply) parentPort!.postMessage(reply, [...new Set(reply.chunks.map((chunk) => chunk.buffer as ArrayBuffer))]);
  else if (reply?.ok) parentPort!.postMessage(reply, [reply.state.buffer as ArrayBuffer]);
  else if (reply) parentPort!.postMessage(reply);
});
