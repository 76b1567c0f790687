import type { Hocuspocus } from '@hocuspocus/server';
import * as Y from 'yjs';
import type { Language } from '../../shared/protocol.ts';
import { readFileTree } from '../../shared/room-files.ts';
import type { RoomStore } from '../storage/room-store.ts';
import type { RunFile } from './runner.ts';

/** What a run starts from: the room's language (its entry file's), its entry path and every file's text. */
export interface RoomFilesToRun {
  language: Language;
  entry: string;
  files: RunFile[];
}

/** The room's files now: the live document when it is loaded here, else the stored state; `undefined` for an unknown room. */
export async function readRoomFiles(hocuspocus: Hocuspocus, store: RoomStore, roomId: string): Promise<RoomFilesToRun | undefined> {
  const live = hocuspocus.documents.get(roomId);
  if (live && !live.isLoading) return filesOf(live);
  const stored = await store.loadRoomState(roomId);
  if (!stored) return undefined;
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, stored.state);
    for (const row of stored.updates) Y.applyUpdate(doc, row.update);
    return filesOf(doc);
  } finally {
    doc.destroy();
  }
}

function filesOf(doc: Y.Doc): RoomFilesToRun {
  const tree = readFileTree(doc);
  const entry = tree.files.find((file) => file.entry)!;
  return { language: entry.language, entry: tree.entry, files: tree.files.map((file) => ({ path: file.path, content: file.text.toString() })) };
}
