import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../storage/database.ts';
import { toStoredText } from '../storage/stored-text.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/** A file to write to `room_files`: the document's exact text (the column gets it by the rule in `stored-text.ts`). */
export interface StoredFile {
  path: string;
  fileId: string;
  language: string;
  content: string;
}

/** A file of the document as a fold sees it: what it is now, and whether its text changed since the last fold. */
export interface FoldedFile {
  id: string;
  path: string;
  language: string;
  /** True when its text may have changed since this process's last fold of the room. */
  changed: boolean;
  /** Its text as of the fold's encoding; called right after the encoding, in the same turn. */
  read(): string;
}

/** What a stored row says about a file, without its content. */
export interface StoredFileIndex {
  path: string;
  fileId: string;
  language: string;
  size: number;
}

/** The rows of a room without their content, in path order. */
export async function readRoomFileIndex(db: Executor, roomId: string): Promise<StoredFileIndex[]> {
  const rows = await db.selectFrom('room_files').select(['path', 'file_id', 'language', 'size']).where('room_id', '=', roomId).orderBy('path').execute();
  return rows.map((row) => ({ path: row.path, fileId: row.file_id, language: row.language, size: row.size }));
}

/** The stored text of one file (by the rule in `stored-text.ts`), or `undefined`. */
export async function readRoomFileContent(db: Executor, roomId: string, path: string): Promise<string | undefined> {
  const row = await db.selectFrom('room_files').select('content').where('room_id', '=', roomId).where('path', '=', path).executeTakeFirst();
  return row?.content;
}

/**
 * Which rows a fold writes: every file whose text changed, and every file
 * whose row is missing or names another file or language; and which paths
 * it deletes (no file there any more). Texts are read here, at once.
 */
export function planFileWrites(files: readonly FoldedFile[], stored: readonly StoredFileIndex[]): { write: StoredFile[]; remove: string[] } {
  const byPath = new Map(stored.map((row) => [row.path, row]));
  const write: StoredFile[] = [];
  for (const file of files) {
    const row = byPath.get(file.path);
    if (row && !file.changed && row.fileId === file.id && row.language === file.language) continue;
    write.push({ path: file.path, fileId: file.id, language: file.language, content: file.read() });
  }
  const kept = new Set(files.map((file) => file.path));
  for (const file of write) kept.delete(file.path);
  const remove = stored.filter((row) => !kept.has(row.path)).map((row) => row.path);
  return { write, remove };
}

/** Deletes rows by path, then inserts `write` (inside the caller's transaction). */
export async function writeRoomFiles(trx: Executor, roomId: string, changes: { write: readonly StoredFile[]; remove: readonly string[] }): Promise<void> {
  for (let start = 0; start < changes.remove.length; start += 500) {
    await trx.deleteFrom('room_files').where('room_id', '=', roomId).where('path', 'in', changes.remove.slice(start, start + 500)).execute();
  }
  // A few rows per statement, and a turn of the event loop between statements:
  // on SQLite each statement blocks the loop while it runs.
  for (let start = 0; start < changes.write.length; start += 25) {
    if (start > 0) await new Promise((resolve) => setImmediate(resolve));
    await trx
      .insertInto('room_files')
      .values(
        changes.write.slice(start, start + 25).map((file) => ({
          room_id: roomId,
          path: file.path,
          file_id: file.fileId,
          language: toStoredText(file.language),
          content: toStoredText(file.content),
          size: Buffer.byteLength(file.content, 'utf8'),
        })),
      )
      .execute();
  }
}
