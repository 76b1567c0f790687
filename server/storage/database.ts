import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type Generated, type SqliteDatabase } from 'kysely';
import pg from 'pg';

/** A room: its latest folded Yjs snapshot and, beside it, the plain text for SQL readers. */
export interface RoomTable {
  /** The edit id: whoever has it may change the room. */
  id: string;
  /** The view id: read-only access, never convertible into `id`. */
  view_id: string | null;
  language: string;
  title: string;
  /** Plain-text code as of the last fold, so SQL users can read code without Yjs. */
  code: string;
  /** Yjs state (`encodeStateAsUpdate`) as of the last fold. */
  state: Uint8Array;
  /** Bumped by every fold, so an instance can tell whether the snapshot changed under it. */
  state_version: number;
  created_at: Date | string;
  updated_at: Date | string;
  /** SHA-256 of the owner key, base64url (`server/owner/`); null for rooms made before owners existed. */
  owner_key_hash: Generated<string | null>;
  /** The owner locked the room (mirrors `meta.locked` of the document). */
  locked: Generated<boolean | number>;
  /** Editors admitted at most (mirrors `meta.maxEditors`); null: no limit. */
  max_editors: Generated<number | null>;
  /** The edit id after a rotation; null: the edit id is `id`. `id` stays the key of every table and of the document. */
  edit_id: Generated<string | null>;
}

/** The owner's private notes of a room (`GET`/`PUT /api/rooms/:roomId/notes`); never in the document. */
export interface RoomNoteTable {
  room_id: string;
  text: string;
  updated_at: Date | string;
}

/** Yjs updates accepted since the last fold (the group-commit log). Load = snapshot + these. */
export interface RoomUpdateTable {
  id: Generated<number>;
  room_id: string;
  update: Uint8Array;
  created_at: Date | string;
}

/**
 * The files of a room as plain text, as of the last fold (SQL readers; the
 * Yjs state is the truth). One row per file; deleted with the room.
 */
export interface RoomFileTable {
  room_id: string;
  /** Canonical path (`shared/file-paths.ts`). */
  path: string;
  /** The file's id in the document (`code` for the entry file), so a fold rewrites only what changed. */
  file_id: string;
  language: string;
  /** The text, by the rule in `stored-text.ts` (NUL and lone surrogates as U+FFFD). */
  content: string;
  /** UTF-8 bytes of the document's text. */
  size: number;
}

/**
 * The client keys of a room (see "Client keys" in `shared/protocol.ts`): the
 * key a Yjs client id was first written under, by its hash. A binding never
 * changes; it goes with the room.
 */
export interface ClientKeyTable {
  room_id: string;
  client_id: number;
  /** SHA-256 of the key, base64url; the key itself is never stored. */
  key_hash: string;
  created_at: Date | string;
}

/** A run of a room's code (`server/run/`); deleted with its room. */
export interface RunTable {
  id: string;
  room_id: string;
  language: string;
  /** One of `RUN_STATUSES` (`shared/schemas/run.schema.ts`). */
  status: string;
  started_by: string;
  /** The instance that runs it (its Redis identifier, or `local`), to tell which runs a dead instance left. */
  instance: string;
  exit_code: number | null;
  signal: string | null;
  /**
   * Output of runs stored before `run_output` existed (by the rule in
   * `stored-text.ts`); empty for newer runs, whose output is in {@link RunOutputTable}.
   */
  stdout: string;
  stderr: string;
  output: string;
  truncated: boolean | number;
  message: string | null;
  queued_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string | null;
  wall_ms: number | null;
  cpu_ms: number | null;
  max_rss_kb: number | null;
}

/**
 * The output of a run, a row per batch written as the run goes
 * (`server/run/run-output.repository.ts`); goes with its run and its room.
 */
export interface RunOutputTable {
  run_id: string;
  room_id: string;
  /** The batch's place in the run's output, from 0. */
  seq: number;
  /** stdout and stderr interleaved in order, by the rule in `stored-text.ts`. */
  text: string;
  /** Which stream each stretch of `text` is: `o`/`e` and a length in UTF-16 units, repeated (`server/run/run-output-log.ts`). */
  segments: string;
}

/** Recorded changes of a room not yet grouped into versions (`server/history/`); written with the update log. */
export interface HistoryChangeTable {
  id: Generated<number>;
  room_id: string;
  /** The changes' Yjs updates, one per change (`encodeUpdateList` in `server/history/change-index.ts`). */
  update: Uint8Array;
  /** The changes' index (`server/history/change-index.ts`), uncompressed. */
  changes: Uint8Array;
  /** Epoch ms of the first and last change. */
  first_at: number | string;
  last_at: number | string;
}

/** A version of a room (`server/history/`): the changes of one stretch of editing. */
export interface HistoryVersionTable {
  id: Generated<number>;
  room_id: string;
  /** Epoch ms of its first and last change. */
  started_at: number | string;
  at: number | string;
  /** JSON `[{ name, color }]`. */
  authors: string;
  label: string | null;
  /** Total length of all files at this version (UTF-16 units). */
  chars: number;
  change_count: number;
  /** Its changes' Yjs updates, merged, compressed. */
  update: Uint8Array;
  /** Its change index, compressed. */
  changes: Uint8Array;
  /** The whole room at this version (compressed Yjs state) on some versions, so a render replays few. */
  snapshot: Uint8Array | null;
}

export interface Database {
  history_changes: HistoryChangeTable;
  history_versions: HistoryVersionTable;
  rooms: RoomTable;
  room_updates: RoomUpdateTable;
  room_files: RoomFileTable;
  client_keys: ClientKeyTable;
  runs: RunTable;
  run_output: RunOutputTable;
  room_notes: RoomNoteTable;
}

export type Dialect = 'sqlite' | 'postgres';

/** An open database and which dialect it speaks. */
export interface Storage {
  db: Kysely<Database>;
  dialect: Dialect;
  /** The better-sqlite3 handle under `db` on SQLite, for the few statements on the keystroke path. */
  sqlite?: SQLite.Database;
}

/** Prepared statements kept per SQL text; Kysely would prepare each query anew. */
const STATEMENT_CACHE_SIZE = 64;

/**
 * better-sqlite3 as Kysely sees it, with its prepared statements reused: the
 * fold and load queries have a fixed text, and preparing one costs about as
 * much as running it. Kysely runs every statement to completion at once, so
 * sharing one is safe.
 */
function withStatementCache(database: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => database.close(),
    prepare(query: string) {
      let statement = statements.get(query);
      if (statement) {
        // Most recently used last, so the first key is the one to evict.
        statements.delete(query);
      } else {
        statement = database.prepare(query);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      }
      statements.set(query, statement);
      return statement;
    },
  };
}

/** Connection settings: Postgres when `databaseUrl` is set, SQLite at `sqlitePath` otherwise. */
export interface StorageOptions {
  databaseUrl: string | undefined;
  sqlitePath: string;
  /** Postgres: a query unanswered this long fails (and its write is retried), in ms; default 10000. */
  databaseQueryTimeoutMs?: number;
  /**
   * SQLite: hold the file's lock for the life of the connection
   * (`locking_mode = EXCLUSIVE`), so the WAL index lives in this process's
   * heap rather than in a memory-mapped `-shm` file; default false. A write
   * through that mapping to a file turned unwritable is not an error but a
   * SIGBUS that kills the process; without it a broken disk fails writes as
   * I/O errors, which are retried and spilled. The price: no other process
   * can open the file while this one has it.
   */
  sqliteExclusiveLocking?: boolean;
}

// Postgres returns BIGINT/BIGSERIAL as strings; our ids stay far below 2^53.
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.INT8) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** Opens the database: a `pg` pool, or a better-sqlite3 file in WAL mode (created with its folder). */
export function openStorage(options: StorageOptions): Storage {
  if (options.databaseUrl) {
    const queryTimeoutMs = options.databaseQueryTimeoutMs ?? 10_000;
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 10,
      connectionTimeoutMillis: 5_000,
      // A database that stops answering (a network partition, a frozen host)
      // must fail queries rather than hang them: a hung journal write would
      // hold every later one, and nothing would report the outage.
      query_timeout: queryTimeoutMs,
      // The timeout above only stops waiting: the database would still run the
      // statement, and a journal insert given up on (its updates then folded
      // into the snapshot) could commit after its room left memory, a log row
      // nobody folds. The database cancels it first.
      statement_timeout: Math.max(100, queryTimeoutMs - 250),
      idle_in_transaction_session_timeout: 30_000,
      keepAlive: true,
      types: pgTypes,
    });
    // An idle client that loses its server emits 'error' on the pool; without a
    // listener that would crash the process. The next query reconnects.
    pool.on('error', () => {});
    // A client checked out between two queries (a transaction waiting on the
    // event loop) emits 'error' on itself when its connection drops, and the
    // pool listens only while it is idle: the failing query reports it.
    pool.on('connect', (client) => client.on('error', () => {}));
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres' };
  }
  fs.mkdirSync(path.dirname(options.sqlitePath), { recursive: true });
  const database = new SQLite(options.sqlitePath);
  try {
    // First: switching to WAL reads the file, and must wait out another process's lock.
    database.pragma('busy_timeout = 5000');
    // Before WAL mode is read: set later, the -shm file is already mapped.
    if (options.sqliteExclusiveLocking) database.pragma('locking_mode = EXCLUSIVE');
    database.pragma('journal_mode = WAL');
    // NORMAL in WAL mode survives a process crash (kill -9); only a power loss
    // may roll back the last commits. FULL would fsync on the event loop.
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
  } catch (error) {
    database.close();
    throw error;
  }
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) }), dialect: 'sqlite', sqlite: database };
}

/** The SQLite file stayed locked by another process for as long as {@link openStorageWhenFree} waited. */
export class StorageHeldError extends Error {
  override name = 'StorageHeldError';
}

/** How long a start waits for another process to let go of the SQLite file (a rolling restart's old server, `npm run migrate`). */
export const SQLITE_HELD_WAIT_MS = 60_000;

/**
 * {@link openStorage}, waiting while another process holds the SQLite file
 * (with `SQLITE_LOCKING=exclusive` a running server holds it for its whole
 * life): tries again with backoff for up to `waitMs`, calling `onHeld` once
 * with a message saying so, then rejects with {@link StorageHeldError}. Each
 * try may block for the 5 s busy timeout; this runs before anything is served.
 */
export async function openStorageWhenFree(options: StorageOptions, onHeld: (message: string) => void, waitMs = SQLITE_HELD_WAIT_MS): Promise<Storage> {
  const deadline = performance.now() + waitMs;
  const name = path.basename(options.sqlitePath);
  for (let delay = 250, warned = false; ; delay = Math.min(2 * delay, 5_000)) {
    try {
      return openStorage(options);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY') throw error;
      if (!warned) onHeld(`${name} is held by another process (pid unknown); waiting up to ${Math.round(waitMs / 1000)} s for it`);
      warned = true;
      if (performance.now() + delay > deadline) {
        throw new StorageHeldError(
          `${options.sqlitePath} is held by another process (pid unknown); gave up after ${Math.round(waitMs / 1000)} s. Stop the other server or migration, or see SQLITE_LOCKING`,
          { cause: error },
        );
      }
      await sleep(delay);
    }
  }
}
