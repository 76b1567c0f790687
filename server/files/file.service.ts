import type { Hocuspocus } from '@hocuspocus/server';
import * as Y from 'yjs';
import { toLanguage, type Language } from '../../shared/protocol.ts';
import { deletePath, FileError, findFile, movePath, readFileTree, writeFile } from '../../shared/room-files.ts';
import { isWithin, moveTarget, normalizePath } from '../../shared/file-paths.ts';
import type { FileList } from '../../shared/schemas/files.schema.ts';
import type { PersistenceExtension } from '../collab/persistence.extension.ts';
import { RoomNotFoundRefusal } from '../collab/refusals.ts';
import type { UpdateJournal } from '../collab/update-journal.ts';
import type { RoomAccessResolver } from '../rooms/room-access.ts';
import type { RoomStore } from '../storage/room-store.ts';
import { filesMap, foldersMap } from '../../shared/room-files.ts';
import { measureRoom } from '../collab/room-size.ts';
import { archiveEntriesOf, listFilesOf } from './file-tasks.ts';
import type { FileWorker } from './file-worker.ts';
import type { HistoryAuthor } from '../history/change-index.ts';
import { REST_AUTHOR, type HistoryContext } from '../history/change-recorder.ts';
import { writeZip } from './zip-writer.ts';

/** Why a file operation was refused, beside {@link FileError}s: each maps to a code of `shared/errors.ts`. */
export class FileServiceError extends Error {
  constructor(
    readonly code: 'room_not_found' | 'forbidden' | 'payload_too_large' | 'service_unavailable',
    message: string,
  ) {
    super(message);
    this.name = 'FileServiceError';
  }
}

/** A zip of every file of a room, and the name it downloads as. */
export interface RoomArchive {
  zip: Uint8Array;
  fileName: string;
}

/**
 * The files of a room over REST. Reads come from the live document when the
 * room is loaded, else from its stored state. Changes go through Hocuspocus
 * (a direct connection): connected clients see them as any edit, other
 * instances get them through Redis, and each call resolves only once its
 * change is durable (in the update log, as a socket's acknowledgement).
 * Ids: an edit id or a view id reads; only an edit id changes. History
 * records each change with the `author` given (the token subject, see
 * `history/rest-author.ts`), `REST API` by default.
 */
export interface FileService {
  listFiles(id: string): Promise<FileList>;
  /** The text of the file at `path`; `file_not_found` when there is none. */
  readFile(id: string, path: string): Promise<string>;
  /** Creates or replaces (a CRDT change of what differs) the file; true when it was created. */
  writeFile(id: string, path: string, content: string, language?: Language, author?: HistoryAuthor): Promise<{ created: boolean; path: string }>;
  /** Deletes a file, or a folder with everything in it; never the entry file. */
  deletePath(id: string, path: string, author?: HistoryAuthor): Promise<void>;
  /** Renames or moves a file or folder. */
  movePath(id: string, from: string, to: string, author?: HistoryAuthor): Promise<{ path: string }>;
  /** Every file, zipped (path order; empty folders as directory entries). */
  archive(id: string): Promise<RoomArchive>;
}

/** How long a change waits to become durable before the answer says it is not yet (503). */
const DURABLE_WAIT_MS = 30_000;

export function createFileService({
  store,
  hocuspocus,
  persistence,
  journal,
  access,
  fileWorker,
  maxDocumentBytes,
  durableWaitMs = DURABLE_WAIT_MS,
}: {
  /** Decodes large stored rooms off the event loop. */
  fileWorker: FileWorker;
  store: RoomStore;
  hocuspocus: Hocuspocus;
  persistence: PersistenceExtension;
  journal: Pick<UpdateJournal, 'sequence' | 'whenDurable'>;
  access: RoomAccessResolver;
  /** `MAX_DOCUMENT_BYTES`: a REST change may not grow a room past it. */
  maxDocumentBytes: number;
  durableWaitMs?: number;
}): FileService {
  /**
   * The room's live document when it is loaded here (`live`), else its
   * stored state and log (`stored`, for a file task: decoded off the event
   * loop when large).
   */
  const locate = async (id: string): Promise<{ live: Y.Doc } | { stored: Uint8Array[]; bytes: number }> => {
    const grant = await access.resolve(id);
    if (!grant) throw roomNotFound(id);
    const live = hocuspocus.documents.get(grant.roomId);
    if (live && !live.isLoading && persistence.loadedRoom(grant.roomId)) return { live };
    const stored = await store.loadRoomState(grant.roomId);
    if (!stored) throw roomNotFound(id);
    const updates = [stored.state, ...stored.updates.map((row) => row.update)];
    return { stored: updates, bytes: updates.reduce((sum, update) => sum + update.length, 0) };
  };

  /** Applies `change` to the live room (loading it if needed) and waits until it is durable. */
  const change = async <T>(id: string, author: HistoryAuthor, apply: (doc: Y.Doc) => T): Promise<T> => {
    // A claim: the expiry job must not delete the room while it loads for this change.
    const grant = await access.claim(id);
    if (!grant) throw roomNotFound(id);
    if (grant.access !== 'edit') throw new FileServiceError('forbidden', 'A view id cannot change the room; use the edit id');
    // The history recorder names the author of a direct connection's changes from its context.
    const context: HistoryContext = { historyAuthor: author };
    const connection = await hocuspocus.openDirectConnection(grant.roomId, context as Record<string, unknown>).catch((error: unknown) => {
      throw error instanceof RoomNotFoundRefusal ? roomNotFound(id) : error;
    });
    try {
      let result!: T;
      await connection.transact((doc) => {
        result = apply(doc);
      });
      const seq = journal.sequence;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), durableWaitMs);
      });
      const outcome = await Promise.race([journal.whenDurable(grant.roomId, seq), timedOut]).finally(() => clearTimeout(timer));
      if (outcome === 'timeout') {
        throw new FileServiceError('service_unavailable', 'The change is applied but not stored yet (the database is not answering); it is stored once it is back');
      }
      return result;
    } finally {
      // Not unloaded at once: the room folds after the usual debounce, like after a socket's last edit.
      await connection.disconnect({ unloadImmediately: false });
    }
  };

  const checkGrowth = (doc: Y.Doc, growth: number) => {
    if (growth <= 0) return;
    const after = measureRoom(doc) + growth;
    if (after > maxDocumentBytes) {
      throw new FileServiceError('payload_too_large', `The room would be ${after} bytes; the limit is ${maxDocumentBytes} (MAX_DOCUMENT_BYTES)`);
    }
  };

  return {
    async listFiles(id) {
      const room = await locate(id);
      return 'live' in room ? listFilesOf(room.live) : fileWorker.run({ kind: 'list', updates: room.stored }, room.bytes);
    },

    async readFile(id, rawPath) {
      const path = checkedPath(rawPath);
      const room = await locate(id);
      const text = 'live' in room ? (findFile(room.live, path)?.text.toString() ?? null) : await fileWorker.run({ kind: 'read', updates: room.stored, path }, room.bytes);
      if (text === null) throw new FileError('file_not_found', `No file at ${path}`);
      return text;
    },

    writeFile: (id, rawPath, content, language, author = REST_AUTHOR) => {
      const path = checkedPath(rawPath);
      return change(id, author, (doc) => {
        const existing = findFile(doc, path);
        const languageGrowth = language === undefined || existing?.entry ? 0 : language.length - (existing?.languageSet ? existing.language.length : 0);
        checkGrowth(doc, 2 * (content.length - (existing?.text.length ?? 0) + (existing ? 0 : path.length) + languageGrowth));
        writeFile(doc, path, content, { language });
        return { created: existing === undefined, path };
      });
    },

    deletePath: (id, rawPath, author = REST_AUTHOR) => {
      const path = checkedPath(rawPath);
      return change(id, author, (doc) => deletePath(doc, path));
    },

    movePath: (id, rawFrom, rawTo, author = REST_AUTHOR) => {
      const from = checkedPath(rawFrom);
      const to = checkedPath(rawTo);
      return change(id, author, (doc) => {
        const records = filesMap(doc);
        let growth = 0;
        for (const file of readFileTree(doc).files) {
          if (!isWithin(file.path, from)) continue;
          growth += 2 * (moveTarget(file.path, from, to)!.length - (records.has(file.id) ? file.path.length : 0));
        }
        for (const folder of foldersMap(doc).keys()) if (isWithin(folder, from)) growth += 2 * (to.length - from.length);
        checkGrowth(doc, growth);
        movePath(doc, from, to);
        return { path: to };
      });
    },

    async archive(id) {
      const room = await locate(id);
      let zipped: { zip: Uint8Array; title: string; language: string };
      if ('live' in room) {
        const { entries, ...named } = archiveEntriesOf(room.live);
        zipped = { zip: await writeZip(entries), ...named };
      } else {
        zipped = await fileWorker.run({ kind: 'archive', updates: room.stored }, room.bytes);
      }
      return { zip: zipped.zip, fileName: downloadName(zipped.title, `pairpad-${toLanguage(zipped.language)}`, 'zip') };
    },
  };
}

/**
 * A file name for a download: the title made safe for every file system,
 * else `fallback` (never the room id: a download must not leak the edit
 * link), with its extension.
 */
export function downloadName(title: string, fallback: string, extension: string): string {
  const base = title.normalize('NFKD').replace(/[^\w.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 80);
  return `${base || fallback}.${extension}`;
}

function roomNotFound(id: string): FileServiceError {
  return new FileServiceError('room_not_found', `Room ${JSON.stringify(id.slice(0, 80))} does not exist`);
}

function checkedPath(raw: string): string {
  const path = normalizePath(raw);
  if (path === null) throw new FileError('invalid_path', `Not a valid path: ${JSON.stringify(String(raw).slice(0, 300))}`);
  return path;
}
