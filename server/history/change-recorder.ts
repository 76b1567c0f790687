import type { Document } from '@hocuspocus/server';
import { isTransactionOrigin } from '@hocuspocus/server';
import * as Y from 'yjs';
import { CODE_TEXT, ENTRY_FILE_ID, FILE_TEXT, FILES_MAP } from '../../shared/protocol.ts';
import { readFileTree } from '../../shared/room-files.ts';
import type { ConnectionContext } from '../collab/connection-context.ts';
import { encodeChangeIndex, encodeUpdateList, type ChangeOp, type HistoryAuthor, type RecordedChange } from './change-index.ts';
import type { HistorySegment } from './history.repository.ts';

/** The author of changes made over REST with no token (and no author given). */
export const REST_AUTHOR: HistoryAuthor = Object.freeze({ name: 'REST API', color: '' });

/** What a direct connection's context may carry to name the author of its changes (see `history.service.ts`). */
export interface HistoryContext {
  historyAuthor?: HistoryAuthor;
}

const MAX_NAME = 64;

/** What the recorder keeps per loaded room. */
interface RoomRecording {
  document: Document;
  /** Ops of the transaction being cleaned up, gathered by the observers. */
  ops: ChangeOp[];
  /** The last length seen of each file's text, for an op that deletes a whole file. */
  lengths: Map<string, number>;
  /** File id to path, rebuilt when the file records change. */
  paths: Map<string, string> | undefined;
  stop(): void;
}

/**
 * Turns each change of a loaded room into a {@link RecordedChange}: its ops
 * (from the text events Yjs computes anyway), the ids it created, the time
 * and the author. It does no I/O: the change rides with its update through
 * the update journal's group commit (`update-journal.ts`), which writes it in
 * the same transaction as the update log.
 *
 * Yjs runs observers, then `afterTransaction`, then the `update` event, for
 * one transaction; so {@link take}, called from the persistence's `update`
 * listener, gets the ops gathered for that very transaction.
 */
export class HistoryRecorder {
  private readonly rooms = new Map<string, RoomRecording>();

  /** @param records false for origins whose changes are recorded elsewhere (loads, other instances' relays). */
  constructor(private readonly records: (origin: unknown) => boolean) {}

  /** Starts recording a room that has just loaded. */
  watch(roomId: string, document: Document): void {
    this.rooms.get(roomId)?.stop();
    const code = document.getText(CODE_TEXT);
    const files = document.getMap<unknown>(FILES_MAP);
    const room: RoomRecording = { document, ops: [], lengths: new Map(), paths: undefined, stop: () => {} };
    room.lengths.set(ENTRY_FILE_ID, code.length);
    for (const [id, record] of files.entries()) {
      const text = record instanceof Y.Map ? record.get(FILE_TEXT) : undefined;
      if (text instanceof Y.Text) room.lengths.set(id, text.length);
    }
    const onCode = (event: Y.YTextEvent) => {
      if (this.records(event.transaction.origin)) this.addTextOps(room, ENTRY_FILE_ID, event);
    };
    const onFiles = (events: Y.YEvent<any>[], transaction: Y.Transaction) => {
      if (!this.records(transaction.origin)) return;
      for (const event of events) {
        if (event.target instanceof Y.Text) {
          const fileId = event.path[0];
          if (typeof fileId === 'string') this.addTextOps(room, fileId, event as Y.YTextEvent);
          continue;
        }
        room.paths = undefined;
        if (event.target !== files) continue;
        for (const [fileId, change] of event.changes.keys) {
          if (change.action === 'add' || change.action === 'update') {
            const text = (files.get(fileId) as Y.Map<unknown> | undefined)?.get?.(FILE_TEXT);
            if (change.action === 'update') this.addDeleteWhole(room, fileId);
            if (text instanceof Y.Text) {
              const ins = text.toString();
              room.lengths.set(fileId, ins.length);
              if (ins) room.ops.push({ file: fileId, pos: 0, del: 0, ins });
            }
          } else this.addDeleteWhole(room, fileId);
        }
      }
    };
    code.observe(onCode);
    files.observeDeep(onFiles);
    room.stop = () => {
      code.unobserve(onCode);
      files.unobserveDeep(onFiles);
    };
    this.rooms.set(roomId, room);
  }

  /** Stops recording a room (it unloaded). */
  unwatch(roomId: string): void {
    this.rooms.get(roomId)?.stop();
    this.rooms.delete(roomId);
  }

  /**
   * The change of the transaction that just ended (call it from the `update`
   * event of a recorded origin); `undefined` when the room is not watched.
   */
  take(roomId: string, update: Uint8Array, transaction: Y.Transaction | undefined, origin: unknown): RecordedChange | undefined {
    const room = this.rooms.get(roomId);
    if (!room) return undefined;
    const ops = room.ops;
    room.ops = [];
    const ranges: [number, number, number][] = [];
    if (transaction) {
      for (const [client, end] of transaction.afterState) {
        const first = transaction.beforeState.get(client) ?? 0;
        if (end > first) ranges.push([client, first, end]);
      }
    }
    const at = this.now();
    this.onRecorded?.(roomId, at);
    return { at, author: this.authorOf(room.document, origin, ranges), ops, ranges, update };
  }

  /** The clock changes are stamped with (epoch ms); a benchmark replaying a recorded trace sets its own. */
  now: () => number = Date.now;

  /** Called after each recorded change (the version builder schedules itself from it). */
  onRecorded: ((roomId: string, at: number) => void) | undefined;

  /**
   * The history row of a batch of a room's changes: each change's update
   * (kept apart, so a version can end between two changes of one batch) and
   * their index, with the files' paths now.
   */
  segmentOf(roomId: string, changes: readonly RecordedChange[]): HistorySegment {
    let firstAt = Infinity;
    let lastAt = -Infinity;
    for (const change of changes) {
      firstAt = Math.min(firstAt, change.at);
      lastAt = Math.max(lastAt, change.at);
    }
    return { update: encodeUpdateList(changes.flatMap((change) => (change.update ? [change.update] : []))), changes: encodeChangeIndex(changes, this.pathsOf(roomId)), firstAt, lastAt };
  }

  /** File id to path, as the room's files are now (rebuilt only after the file records changed). */
  pathsOf(roomId: string): Map<string, string> {
    const room = this.rooms.get(roomId);
    if (!room) return new Map();
    if (!room.paths) room.paths = new Map(readFileTree(room.document).files.map((file) => [file.id, file.path]));
    return room.paths;
  }

  private addTextOps(room: RoomRecording, fileId: string, event: Y.YTextEvent): void {
    let pos = 0;
    for (const part of event.delta) {
      if (part.retain !== undefined) pos += part.retain;
      else if (part.delete !== undefined) {
        room.ops.push({ file: fileId, pos, del: part.delete, ins: '' });
      } else if (typeof part.insert === 'string') {
        const last = room.ops.at(-1);
        // A replacement reads as one op: delete then insert at the same place.
        if (last && last.file === fileId && last.pos === pos && last.ins === '' && last.del > 0) last.ins = part.insert;
        else room.ops.push({ file: fileId, pos, del: 0, ins: part.insert });
        pos += part.insert.length;
      }
    }
    room.lengths.set(fileId, (event.target as Y.Text).length);
  }

  private addDeleteWhole(room: RoomRecording, fileId: string): void {
    const length = room.lengths.get(fileId) ?? 0;
    room.lengths.delete(fileId);
    if (length > 0) room.ops.push({ file: fileId, pos: 0, del: length, ins: '' });
  }

  /** The awareness `user` of the client that wrote the change (or of its connection), and the token subject. */
  private authorOf(document: Document, origin: unknown, ranges: [number, number, number][]): HistoryAuthor {
    if (!isTransactionOrigin(origin)) return { name: 'server', color: '' };
    if (origin.source === 'local') return (origin.context as HistoryContext | undefined)?.historyAuthor ?? REST_AUTHOR;
    if (origin.source !== 'connection') return { name: 'server', color: '' };
    const connection = origin.connection;
    const subject = (connection.context as Partial<ConnectionContext> | undefined)?.grant?.subject;
    const states = document.awareness.getStates();
    const candidates = [...ranges.map((range) => range[0]), ...(document.connections.get(connection)?.clients ?? [])];
    for (const client of candidates) {
      const user = (states.get(client) as { user?: { name?: unknown; color?: unknown } } | undefined)?.user;
      if (user && typeof user === 'object') {
        const author: HistoryAuthor = { name: String(user.name ?? '').slice(0, MAX_NAME), color: String(user.color ?? '').slice(0, MAX_NAME) };
        return subject ? { ...author, subject } : author;
      }
    }
    return { name: subject ?? 'Anonymous', color: '', ...(subject ? { subject } : {}) };
  }
}
