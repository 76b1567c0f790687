import type { Document } from '@hocuspocus/server';
import { isTransactionOrigin } from '@hocuspocus/server';
import * as Y from 'yjs';
import type { ConnectionContext } from '../collab/connection-context.ts';
import { encodeChangeIndex, encodeUpdateList, type HistoryAuthor, type RecordedChange } from './change-index.ts';
import type { HistorySegment } from './history.repository.ts';

/** The author of changes made over REST with no token (and no author given). */
export const REST_AUTHOR: HistoryAuthor = Object.freeze({ name: 'REST API', color: '' });

/** What a direct connection's context may carry to name the author of its changes (see `history.service.ts`). */
export interface HistoryContext {
  historyAuthor?: HistoryAuthor;
}

const MAX_NAME = 64;

/**
 * Records each change of a loaded room: its update, the Yjs ids it created,
 * the time and the author. That is all the keystroke path pays (a clock
 * read, a look-up of the writer's awareness state, a walk over the
 * transaction's state vector): the ops (file, position, text) are derived
 * later in the history worker, by replaying the updates (`change-ops.ts`).
 * It does no I/O: the change rides with its update through the update
 * journal's group commit (`update-journal.ts`), which writes it in the same
 * transaction as the update log.
 */
export class HistoryRecorder {
  private readonly rooms = new Map<string, Document>();

  /** The clock changes are stamped with (epoch ms); a benchmark replaying a recorded trace sets its own. */
  now: () => number = Date.now;

  /** Called after each recorded change (the version builder schedules itself from it). */
  onRecorded: ((roomId: string, at: number) => void) | undefined;

  /** Starts recording a room that has just loaded. */
  watch(roomId: string, document: Document): void {
    this.rooms.set(roomId, document);
  }

  /** Stops recording a room (it unloaded). */
  unwatch(roomId: string): void {
    this.rooms.delete(roomId);
  }

  /**
   * The change of the transaction that just ended (call it from the `update`
   * event of a recorded origin); `undefined` when the room is not watched.
   */
  take(roomId: string, update: Uint8Array, transaction: Y.Transaction | undefined, origin: unknown): RecordedChange | undefined {
    const document = this.rooms.get(roomId);
    if (!document) return undefined;
    const ranges = transaction ? createdRanges(transaction) : [];
    const at = this.now();
    this.onRecorded?.(roomId, at);
    const change: RecordedChange = { at, author: this.authorOf(document, origin, ranges), ops: [], ranges, update };
    if (transaction && changedOnlyTexts(transaction)) change.textOnly = true;
    return change;
  }

  /** The history row of a batch of a room's changes: each change's update (kept apart, so a version can end between two) and their index. */
  segmentOf(_roomId: string, changes: readonly RecordedChange[]): HistorySegment {
    let firstAt = Infinity;
    let lastAt = -Infinity;
    for (const change of changes) {
      firstAt = Math.min(firstAt, change.at);
      lastAt = Math.max(lastAt, change.at);
    }
    return { update: encodeUpdateList(changes.flatMap((change) => (change.update ? [change.update] : []))), changes: encodeChangeIndex(changes, new Map()), firstAt, lastAt };
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

/** The Yjs ids a transaction created: `[client, firstClock, endClock)` per client whose clock advanced. */
export function createdRanges(transaction: Y.Transaction): [number, number, number][] {
  const ranges: [number, number, number][] = [];
  for (const [client, end] of transaction.afterState) {
    const first = transaction.beforeState.get(client) ?? 0;
    if (end > first) ranges.push([client, first, end]);
  }
  return ranges;
}

/** Whether the transaction changed the content of texts and no other type (a keystroke: usually one text). */
export function changedOnlyTexts(transaction: Y.Transaction): boolean {
  if (transaction.changed.size === 0) return false;
  for (const type of transaction.changed.keys()) if (!(type instanceof Y.Text)) return false;
  return true;
}
