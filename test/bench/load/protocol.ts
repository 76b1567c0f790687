/*
 * Messages between the suite (orchestrator) and a load-generator process
 * (`load/worker.ts`). Every request carries an id; the worker answers each
 * with `{ id, ok, result | error }`. The IPC channel uses Node's "advanced"
 * serialization, so typed arrays cross it as they are.
 */

/** Which client a server speaks: `HocuspocusProvider` or y-websocket's `WebsocketProvider`. */
export type ClientProtocol = 'hocuspocus' | 'yjs';

/** One real client to connect. */
export interface ClientSpec {
  /** For `hocuspocus`, the socket URL; for `yjs`, the server URL the room id is appended to. */
  url: string;
  protocol: ClientProtocol;
  roomId: string;
  /** Types when typing starts. */
  typist: boolean;
}

/** Bytes one group of clients sent and received during a measurement window. */
export interface ByteCounts {
  /** WebSocket message payloads (what a `ws` wrapper sees). */
  payloadSent: number;
  payloadReceived: number;
  /** TCP payload of the sockets (payloads plus WebSocket framing and handshake). */
  socketSent: number;
  socketReceived: number;
}

/** The keystrokes one typist sent while measuring: clock of each character and when it was typed (ms, shared monotonic clock). */
export interface TypistSends {
  roomId: string;
  clientId: number;
  clocks: Float64Array;
  timesMs: Float64Array;
}

/** Remote characters that reached a process's clients: whose (Yjs client id), which clock, when (ms, shared monotonic clock). */
export interface ReceivedRecords {
  clients: Float64Array;
  clocks: Float64Array;
  timesMs: Float64Array;
}

/** What a worker measured in one typing window (the answer to `measure` off). */
export interface WindowStats {
  /** Keystrokes sent while measuring. */
  keystrokes: number;
  sends: TypistSends[];
  /** CPU time this worker used while measuring, in ms. */
  cpuMs: number;
  /** Length of the measurement window as the worker saw it, in ms. */
  wallMs: number;
  /** 99th percentile of this worker's event-loop delay while measuring, in ms. */
  eventLoopP99Ms: number;
  /** Bytes of typists and of watchers (everyone else) while measuring. */
  typistBytes: ByteCounts;
  watcherBytes: ByteCounts;
}

/** A character every other client of `roomId` must hold before the drain ends. */
export interface AwaitedClock {
  roomId: string;
  clientId: number;
  clock: number;
}

/** What a worker's clients received, after the drain (the answer to `stopTyping`). */
export interface DrainStats {
  received: ReceivedRecords;
  /** Socket closes seen since the clients connected. */
  disconnects: number;
}

export interface ConnectResult {
  connected: number;
  failed: number;
  /** The first few failure reasons. */
  errors: string[];
  elapsedMs: number;
  /** Connected clients per room id. */
  roomMembers: Record<string, number>;
}

export interface CensusResult {
  clients: number;
  /** Clients whose socket is open right now. */
  open: number;
  disconnects: number;
  rssBytes: number;
}

export interface ReplayResult {
  /** Trace patches applied and transactions sent. */
  edits: number;
  transactions: number;
  finalLength: number;
  /** From the first edit until the writer had handed the last update to its socket. */
  sendMs: number;
  /** From the first edit until the second client had the whole final text. */
  replayMs: number;
  /** The writer's and the reader's text equal the trace's final text. */
  writerMatches: boolean;
  readerMatches: boolean;
  /** Size of the document's Yjs state (`encodeStateAsUpdate`). */
  stateBytes: number;
  writerBytes: ByteCounts;
  readerBytes: ByteCounts;
}

export interface FreshSyncResult {
  /** From creating the provider until it reported synced and held the expected text. */
  syncMs: number;
  length: number;
  matches: boolean;
  bytes: ByteCounts;
}

export interface WireBytesResult {
  documentLength: number;
  keystrokes: number;
  watchers: number;
  /** Every watcher received every keystroke. */
  complete: boolean;
  typistBytes: ByteCounts;
  watcherBytes: ByteCounts;
}

export type WorkerRequest =
  | { type: 'connect'; clients: ClientSpec[]; concurrency: number; timeoutMs: number; presence: boolean }
  | { type: 'startTyping'; rate: number; cursor: boolean }
  | { type: 'measure'; on: boolean }
  | { type: 'stopTyping'; drainMs: number; awaited: AwaitedClock[] }
  | { type: 'census' }
  | { type: 'closeAll' }
  | { type: 'replay'; writer: ClientSpec; reader: ClientSpec; tracePath: string; edits: number | undefined; timeoutMs: number }
  | { type: 'freshSync'; client: ClientSpec; timeoutMs: number }
  | { type: 'wireBytes'; clients: ClientSpec[]; size: number; keystrokes: number; rate: number; timeoutMs: number };

/** The answer type of each request. */
export interface WorkerResults {
  connect: ConnectResult;
  startTyping: null;
  measure: WindowStats | null;
  stopTyping: DrainStats;
  census: CensusResult;
  closeAll: null;
  replay: ReplayResult;
  freshSync: FreshSyncResult;
  wireBytes: WireBytesResult;
}

export type WorkerEnvelope = { id: number; request: WorkerRequest };
export type WorkerAnswer = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
