import { Worker } from 'node:worker_threads';
import type { RoomContent } from '../../shared/room-doc.ts';
import type { Logger } from '../log.ts';

/** What the main thread asks of the fold worker (see `fold.worker.ts`). */
export type ReplicaRequest =
  | { kind: 'feed'; roomId: string; updates: Uint8Array[] }
  | { kind: 'encode'; id: number; roomId: string; updates: Uint8Array[]; fileIds: string[] }
  | { kind: 'drop'; roomId: string }
  | { kind: 'split'; id: number; state: Uint8Array; structsPerChunk: number };

/** The worker's answer to an `encode` or a `split`. */
export type ReplicaReply =
  | ({ id: number; ok: true } & EncodedRoom)
  | { id: number; ok: true; chunks: Uint8Array[] }
  | { id: number; ok: false; message: string };

/**
 * A room's document encoded by the worker: its Yjs state and the plain fields
 * stored beside it, and the copy's state vector (to check the copy against the document).
 */
export type EncodedRoom = {
  state: Uint8Array;
  stateVector: Uint8Array;
  /** The texts of the files asked for, by file id, except the entry file's (it is `code`). */
  fileTexts: Record<string, string>;
} & RoomContent;

/**
 * Copies of large rooms in a worker thread, so that folding them does not
 * block the event loop. Encoding a room of two million characters
 * (`Y.encodeStateAsUpdate` plus the text) takes 80–400 ms of CPU; on the main
 * thread that stalled typing in every other room for as long.
 *
 * The worker holds a `Y.Doc` per large room, seeded from the bytes the room
 * was loaded from (or from a fold's encoding, once a room grew large) and fed
 * every update the room's document gets after that, in order. Yjs converges:
 * the copy holds exactly what the document held when the last update was fed.
 * The main thread only keeps each update until the next fold posts them.
 *
 * If the worker fails, every room folds on the main thread again, as before.
 */
export class RoomReplicas {
  private worker: Worker | undefined;
  private broken = false;
  /** Rooms with a replica, and the updates not posted to it yet. */
  private readonly unposted = new Map<string, Uint8Array[]>();
  /** Stored bytes of replicas not sent to the worker yet (see {@link seed}). */
  private readonly unseeded = new Map<string, Uint8Array[]>();
  private readonly waiting = new Map<number, { resolve(reply: ReplicaReply & { ok: true }): void; reject(error: Error): void }>();
  private nextId = 0;

  constructor(
    private readonly options: {
      /** Rooms whose stored state has at least this many bytes get a replica. */
      minBytes: number;
      log: Logger;
    },
  ) {}

  /** True when `bytes` of stored state make a room large enough for a replica. */
  isLarge(bytes: number): boolean {
    return !this.broken && bytes >= this.options.minBytes;
  }

  /** True when the room has a replica in the worker. */
  has(roomId: string): boolean {
    return this.unposted.has(roomId);
  }

  /**
   * Starts a replica from the room's stored bytes (state, then log rows). The
   * worker gets them only when the room first changes (or folds): a room
   * opened and left unchanged costs the worker nothing, and its load on the
   * event loop does not compete with the worker's for the CPU.
   */
  seed(roomId: string, updates: Uint8Array[]): void {
    if (this.broken) return;
    this.drop(roomId);
    this.unposted.set(roomId, []);
    this.unseeded.set(roomId, updates);
  }

  /** Records an update the room's document got; the next {@link encode} posts it. Cheap: one push. */
  feed(roomId: string, update: Uint8Array): void {
    const updates = this.unposted.get(roomId);
    if (!updates) return;
    updates.push(update);
    // Sent after this turn: the keystroke that made the first change does not wait for the copy.
    if (this.unseeded.has(roomId) && updates.length === 1) setImmediate(() => this.postSeed(roomId));
  }

  /**
   * The replica encoded, holding every update fed so far, with the texts of
   * the files `fileIds` (those a fold rewrites). Rejects if the worker fails;
   * then the replica is gone and the caller encodes on the main thread.
   */
  encode(roomId: string, fileIds: string[] = []): Promise<EncodedRoom> {
    const updates = this.unposted.get(roomId);
    if (!updates || this.broken) return Promise.reject(new Error(`room ${roomId} has no replica`));
    this.unposted.set(roomId, []);
    this.postSeed(roomId);
    const id = this.nextId++;
    return new Promise<EncodedRoom>((resolve, reject) => {
      this.waiting.set(id, {
        resolve: (reply) => ('state' in reply ? resolve({ state: reply.state, stateVector: reply.stateVector, code: reply.code, language: reply.language, title: reply.title, fileTexts: reply.fileTexts }) : reject(new Error('fold worker: unexpected reply'))),
        reject,
      });
      this.post({ kind: 'encode', id, roomId, updates, fileIds });
    }).catch((error: Error) => {
      this.unposted.delete(roomId);
      throw error;
    });
  }

  /**
   * A room's stored state split in the worker into updates of at most
   * `structsPerChunk` structs each, which applied in order make the same
   * document, each integrating fully (see `update-chunks.ts`): the main thread
   * can load a large room one chunk per turn of the event loop. Rejects if the worker fails.
   */
  split(state: Uint8Array, structsPerChunk: number): Promise<Uint8Array[]> {
    if (this.broken) return Promise.reject(new Error('fold worker is not running'));
    const id = this.nextId++;
    return new Promise<Uint8Array[]>((resolve, reject) => {
      this.waiting.set(id, { resolve: (reply) => ('chunks' in reply ? resolve(reply.chunks) : reject(new Error('fold worker: unexpected reply'))), reject });
      this.post({ kind: 'split', id, state, structsPerChunk });
    });
  }

  /** Forgets a room's replica (the room left memory). */
  drop(roomId: string): void {
    const seeded = !this.unseeded.delete(roomId);
    if (!this.unposted.delete(roomId) || !seeded || !this.worker) return;
    this.post({ kind: 'drop', roomId });
  }

  /** Stops the worker; rooms fold on the main thread from then on. */
  async close(): Promise<void> {
    this.broken = true;
    this.unposted.clear();
    this.unseeded.clear();
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new Error('room replicas closed'));
    await worker?.terminate();
  }

  /** Sends a replica's stored bytes to the worker, once, ahead of anything else for it. */
  private postSeed(roomId: string): void {
    const updates = this.unseeded.get(roomId);
    if (!updates || this.broken) return;
    this.unseeded.delete(roomId);
    this.post({ kind: 'feed', roomId, updates });
  }

  private post(request: ReplicaRequest): void {
    this.startWorker().postMessage(request);
  }

  private startWorker(): Worker {
    if (this.worker) return this.worker;
    // Run from the TypeScript sources (tsx, vitest), the worker loads through tsx (see `fold.worker.boot.mjs`).
    const worker = import.meta.url.endsWith('.ts')
      ? new Worker(new URL('./fold.worker.boot.mjs', import.meta.url), { workerData: { entry: new URL('./fold.worker.ts', import.meta.url).href } })
      : new Worker(new URL('./fold.worker.js', import.meta.url));
    // The worker never keeps the process alive; shutdown stores through it before closing it.
    worker.unref();
    worker.on('message', (reply: ReplicaReply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (!waiter) return;
      if (reply.ok) waiter.resolve(reply);
      else waiter.reject(new Error(`fold worker: ${reply.message}`));
    });
    const fail = (error: Error) => {
      if (this.broken) return;
      this.options.log.error({ err: error }, 'fold worker failed; folding large rooms on the main thread');
      this.broken = true;
      this.unposted.clear();
      this.unseeded.clear();
      this.worker = undefined;
      this.failAll(error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`fold worker exited with ${code}`)));
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}
