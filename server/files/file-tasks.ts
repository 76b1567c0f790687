import * as Y from 'yjs';
import { buildNewRoomDoc, type RoomContent } from '../../shared/room-doc.ts';
import { fileCount, readFileTree, type NewRoomFiles } from '../../shared/room-files.ts';
import { META_MAP, META_TITLE, toLanguage } from '../../shared/protocol.ts';
import { parentFolders } from '../../shared/file-paths.ts';
import type { FileList } from '../../shared/schemas/files.schema.ts';
import type { StoredFile } from './room-files.repository.ts';
import { writeZip, type ZipEntry } from './zip-writer.ts';

/**
 * The heavy parts of the files API as plain functions of plain data, so
 * they run the same on the event loop (small rooms) or in a worker thread
 * (`file-tasks.worker.ts`, large ones): decoding a stored room, encoding a
 * new one, zipping.
 */
export type FileTask =
  | { kind: 'build'; content: RoomContent; seed: NewRoomFiles }
  | { kind: 'list'; updates: Uint8Array[] }
  | { kind: 'read'; updates: Uint8Array[]; path: string }
  | { kind: 'archive'; updates: Uint8Array[] };

/** A new room's state, its `room_files` rows, and where its entry is. */
export interface BuiltRoom {
  state: Uint8Array;
  files: StoredFile[];
  entry: string;
  fileCount: number;
}

/** What each task answers. */
export interface FileTaskResults {
  build: BuiltRoom;
  list: FileList;
  /** The text, or `null` when no file is at the path. */
  read: string | null;
  archive: { zip: Uint8Array; title: string; language: string };
}

/** Runs a task here. */
export async function runFileTask<K extends FileTask['kind']>(task: Extract<FileTask, { kind: K }>): Promise<FileTaskResults[K]>;
export async function runFileTask(task: FileTask): Promise<FileTaskResults[FileTask['kind']]> {
  switch (task.kind) {
    case 'build': {
      const doc = buildNewRoomDoc(task.content, task.seed);
      try {
        return { state: Y.encodeStateAsUpdate(doc), files: storedFilesOf(doc), entry: readFileTree(doc).entry, fileCount: fileCount(doc) };
      } finally {
        doc.destroy();
      }
    }
    case 'list':
      return withDoc(task.updates, listFilesOf);
    case 'read':
      return withDoc(task.updates, (doc) => readFileTree(doc).files.find((file) => file.path === task.path)?.text.toString() ?? null);
    case 'archive': {
      const { entries, title, language } = withDoc(task.updates, archiveEntriesOf);
      return { zip: await writeZip(entries), title, language };
    }
    default: {
      const never: never = task;
      throw new Error(`unknown file task ${JSON.stringify(never)}`);
    }
  }
}

/** `GET /api/rooms/:roomId/files` of a document. */
export function listFilesOf(doc: Y.Doc): FileList {
  const tree = readFileTree(doc);
  const holding = new Set(tree.files.flatMap((file) => parentFolders(file.path)));
  return {
    entry: tree.entry,
    files: tree.files.map((file) => ({ path: file.path, language: file.language, size: Buffer.byteLength(file.text.toString(), 'utf8') })),
    folders: tree.folders.filter((folder) => !holding.has(folder)),
  };
}

/** What an archive of a document holds: every file, and every folder as a directory entry, in path order. */
export function archiveEntriesOf(doc: Y.Doc): { entries: ZipEntry[]; title: string; language: string } {
  const tree = readFileTree(doc);
  const entries: ZipEntry[] = tree.files.map((file) => ({ path: file.path, content: file.text.toString() }));
  const holding = new Set(tree.files.flatMap((file) => parentFolders(file.path)));
  for (const folder of tree.folders) if (!holding.has(folder)) entries.push({ path: folder, directory: true });
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const title = doc.getMap(META_MAP).get(META_TITLE);
  return { entries, title: typeof title === 'string' ? title : '', language: toLanguage(tree.files.find((file) => file.entry)!.language) };
}

/** Every file of a document as `room_files` rows. */
export function storedFilesOf(doc: Y.Doc): StoredFile[] {
  return readFileTree(doc).files.map((file) => ({ path: file.path, fileId: file.id, language: file.language, content: file.text.toString() }));
}

function withDoc<T>(updates: Uint8Array[], read: (doc: Y.Doc) => T): T {
  const doc = new Y.Doc();
  try {
    doc.transact(() => {
      for (const update of updates) Y.applyUpdate(doc, update);
    });
    return read(doc);
  } finally {
    doc.destroy();
  }
}
