/**
 * A load-generator process. The suite forks one or more of these; each holds
 * real providers (`HocuspocusProvider` or `WebsocketProvider`) and does what
 * the suite asks over IPC (see `protocol.ts`). Servers run in other
 * processes, so a worker's CPU is the client side's cost, reported as such.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import * as Y from 'yjs';
import { createRandom } from '../../support/random.ts';
import { connectBenchClient, emptyBytes, readClientBytes, subtractBytes, withTimeout, type BenchClient } from './clients.ts';
import { LatencyRecorder } from './latency.ts';
import type {
  AwaitedClock,
  ClientSpec,
  ConnectResult,
  DrainStats,
  FreshSyncResult,
  ReplayResult,
  WindowStats,
  WireBytesResult,
  WorkerAnswer,
  WorkerEnvelope,
  WorkerRequest,
} from './protocol.ts';
import { countTransactions, readEditingTrace, replayOnString, type EditingTrace } from './trace.ts';

const COLORS = ['#30bced', '#6eeb83', '#ffbc42', '#ecd444', '#ee6352', '#9ac2c9', '#8acb88', '#1be7ff'];
/** A worker gives up on one socket's send buffer draining after this long. */
const MAX_BACKPRESSURE_WAIT_MS = 30_000;

const clients: BenchClient[] = [];
const rooms = new Map<string, BenchClient[]>();
const recorder = new LatencyRecorder();
let typingTimers: NodeJS.Timeout[] = [];
let expectedText: string | undefined;
let traceCache: { path: string; trace: EditingTrace } | undefined;

function addToRoom(client: BenchClient): void {
  const members = rooms.get(client.spec.roomId);
  if (members) members.push(client);
  else rooms.set(client.spec.roomId, [client]);
}

async function connectOne(spec: ClientSpec, timeoutMs: number, presence: boolean): Promise<BenchClient> {
  const client = connectBenchClient(spec);
  if (presence) {
    const color = COLORS[clients.length % COLORS.length];
    client.setAwarenessField('user', { name: `bench ${process.pid}.${clients.length}`, color, colorLight: `${color}33` });
  }
  try {
    await withTimeout(client.synced, timeoutMs, `not synced within ${timeoutMs} ms`);
    return client;
  } catch (error) {
    client.destroy();
    throw error;
  }
}

async function connect(request: Extract<WorkerRequest, { type: 'connect' }>): Promise<ConnectResult> {
  const started = performance.now();
  const errors: string[] = [];
  let connected = 0;
  let failed = 0;
  let next = 0;
  const lane = async () => {
    while (next < request.clients.length) {
      const spec = request.clients[next++];
      try {
        const client = await connectOne(spec, request.timeoutMs, request.presence);
        clients.push(client);
        addToRoom(client);
        recorder.watch(client.doc);
        connected++;
      } catch (error) {
        failed++;
        if (errors.length < 5) errors.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, request.concurrency) }, lane));
  const roomMembers = Object.fromEntries([...rooms].map(([roomId, members]) => [roomId, members.length]));
  return { connected, failed, errors, elapsedMs: performance.now() - started, roomMembers };
}

function relativeCursor(text: Y.Text, index: number): unknown {
  return Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(text, index));
}

function startTyping({ rate, cursor }: { rate: number; cursor: boolean }): void {
  const typists = clients.filter((client) => client.spec.typist);
  const period = 1000 / rate;
  typists.forEach((client, index) => {
    const type = () => {
      if (!client.isOpen()) return; // a real editor would queue; we count what reached the socket
      const clock = Y.getState(client.doc.store, client.doc.clientID);
      recorder.noteKeystroke(client.spec.roomId, client.doc.clientID, clock);
      const at = client.text.length;
      client.text.insert(at, 'x');
      if (cursor) {
        const position = relativeCursor(client.text, at + 1);
        client.setAwarenessField('cursor', { anchor: position, head: position });
      }
    };
    // Spread the typists over one period so keystrokes do not arrive in bursts.
    const phase = setTimeout(() => {
      typingTimers.push(setInterval(type, period));
    }, (index * period) / Math.max(1, typists.length));
    typingTimers.push(phase);
  });
}

function stopTypingTimers(): void {
  for (const timer of typingTimers) {
    clearTimeout(timer);
    clearInterval(timer);
  }
  typingTimers = [];
}

let bytesAtStart = { typist: emptyBytes(), watcher: emptyBytes() };

function readBytesByRole() {
  return {
    typist: readClientBytes(clients.filter((client) => client.spec.typist)),
    watcher: readClientBytes(clients.filter((client) => !client.spec.typist)),
  };
}

function measure(on: boolean): WindowStats | null {
  if (on) {
    bytesAtStart = readBytesByRole();
    recorder.start();
    return null;
  }
  const window = recorder.stop();
  const now = readBytesByRole();
  return {
    ...window,
    keystrokes: recorder.keystrokes,
    sends: recorder.sent(),
    typistBytes: subtractBytes(now.typist, bytesAtStart.typist),
    watcherBytes: subtractBytes(now.watcher, bytesAtStart.watcher),
  };
}

/** Every local client of each awaited character's room, but its typist, holds it. */
function holdsAll(awaited: AwaitedClock[]): boolean {
  return awaited.every(({ roomId, clientId, clock }) =>
    (rooms.get(roomId) ?? []).every((client) => client.doc.clientID === clientId || Y.getState(client.doc.store, clientId) > clock),
  );
}

/** Stops typing, waits (at most `drainMs`) for the awaited characters to arrive everywhere, and hands over the arrivals. */
async function stopTyping(drainMs: number, awaited: AwaitedClock[]): Promise<DrainStats> {
  stopTypingTimers();
  const deadline = performance.now() + drainMs;
  while (!holdsAll(awaited) && performance.now() < deadline) await sleep(50);
  return {
    received: recorder.takeReceived(),
    disconnects: clients.reduce((sum, client) => sum + client.disconnects, 0),
  };
}

async function closeAll(): Promise<void> {
  stopTypingTimers();
  const all = clients.splice(0);
  rooms.clear();
  // In slices, so a worker with thousands of clients keeps answering.
  for (let index = 0; index < all.length; index += 200) {
    for (const client of all.slice(index, index + 200)) client.destroy();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Waits until the socket of `client` has sent most of what it buffered (bounded). */
async function drainSocket(client: BenchClient, highWaterBytes: number): Promise<void> {
  const deadline = performance.now() + MAX_BACKPRESSURE_WAIT_MS;
  while ((client.currentSocket()?.bufferedAmount ?? 0) > highWaterBytes && performance.now() < deadline) await sleep(2);
}

/** Resolves once `client`'s text equals `expected` (checked whenever its length matches); rejects after `timeoutMs`. */
function waitForText(client: BenchClient, expected: string, timeoutMs: number): Promise<void> {
  const done = new Promise<void>((resolve) => {
    const check = () => {
      if (client.text.length === expected.length && client.text.toString() === expected) {
        client.doc.off('afterTransaction', check);
        resolve();
      }
    };
    client.doc.on('afterTransaction', check);
    check();
  });
  return withTimeout(done, timeoutMs, `text did not arrive within ${timeoutMs} ms`);
}

async function replay(request: Extract<WorkerRequest, { type: 'replay' }>): Promise<ReplayResult> {
  if (traceCache?.path !== request.tracePath) traceCache = { path: request.tracePath, trace: readEditingTrace(request.tracePath) };
  const { trace } = traceCache;
  const transactions = countTransactions(trace, request.edits);
  expectedText = replayOnString(trace, transactions);
  const writer = await connectOne(request.writer, 30_000, true);
  const reader = await connectOne(request.reader, 30_000, true);
  for (const client of [writer, reader]) {
    clients.push(client);
    addToRoom(client);
  }
  const before = { writer: readClientBytes([writer]), reader: readClientBytes([reader]) };
  const readerDone = waitForText(reader, expectedText, request.timeoutMs);
  readerDone.catch(() => undefined); // awaited below; avoid an unhandled rejection meanwhile

  const started = performance.now();
  let edits = 0;
  for (let index = 0; index < transactions; index++) {
    const { patches } = trace.txns[index];
    // One trace transaction = one Yjs transaction = one update on the wire.
    writer.doc.transact(() => {
      for (const [position, deleteCount, insert] of patches) {
        if (deleteCount > 0) writer.text.delete(position, deleteCount);
        if (insert.length > 0) writer.text.insert(position, insert);
        edits++;
      }
    });
    if (index % 256 === 255) {
      await drainSocket(writer, 1 << 20);
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (performance.now() - started > request.timeoutMs) throw new Error(`replay took longer than ${request.timeoutMs} ms`);
  }
  const sendMs = performance.now() - started;
  await readerDone;
  const replayMs = performance.now() - started;
  return {
    edits,
    transactions,
    finalLength: expectedText.length,
    sendMs,
    replayMs,
    writerMatches: writer.text.toString() === expectedText,
    readerMatches: reader.text.toString() === expectedText,
    stateBytes: Y.encodeStateAsUpdate(writer.doc).length,
    writerBytes: subtractBytes(readClientBytes([writer]), before.writer),
    readerBytes: subtractBytes(readClientBytes([reader]), before.reader),
  };
}

async function freshSync(request: Extract<WorkerRequest, { type: 'freshSync' }>): Promise<FreshSyncResult> {
  if (expectedText === undefined) throw new Error('freshSync needs a replay first');
  const started = performance.now();
  const client = connectBenchClient(request.client);
  try {
    await withTimeout(client.synced, request.timeoutMs, `not synced within ${request.timeoutMs} ms`);
    // "Synced" means the server's answer was applied; the text must be complete by then.
    await waitForText(client, expectedText, Math.max(1, request.timeoutMs - (performance.now() - started)));
    const syncMs = performance.now() - started;
    return { syncMs, length: client.text.length, matches: client.text.toString() === expectedText, bytes: readClientBytes([client]) };
  } finally {
    client.destroy();
  }
}

/** Deterministic code-like filler text. */
function fillerText(length: number): string {
  const words = ['value', 'index', 'result', 'count', 'buffer', 'offset', 'total', 'node', 'item', 'state'];
  let text = '';
  for (let line = 0; text.length < length; line++) {
    text += `    const ${words[line % words.length]}_${line} = compute(${line}, ${words[(line * 7) % words.length]});\n`;
  }
  return text.slice(0, length);
}

async function wireBytes(request: Extract<WorkerRequest, { type: 'wireBytes' }>): Promise<WireBytesResult> {
  const [typistSpec, ...watcherSpecs] = request.clients;
  const deadline = performance.now() + request.timeoutMs;
  const remaining = () => Math.max(1, deadline - performance.now());
  const typist = await connectOne(typistSpec, 30_000, false);
  const room: BenchClient[] = [typist];
  try {
    typist.clearAwareness();
    // Seed the document in 1 KiB paragraphs, as pasted or typed code would arrive.
    const filler = fillerText(request.size);
    for (let offset = 0; offset < filler.length; offset += 1024) {
      typist.text.insert(typist.text.length, filler.slice(offset, offset + 1024));
      if ((offset / 1024) % 64 === 63) await drainSocket(typist, 1 << 20);
    }
    await drainSocket(typist, 0);
    for (const spec of watcherSpecs) {
      const watcher = await connectOne(spec, remaining(), false);
      watcher.clearAwareness();
      room.push(watcher);
    }
    const watchers = room.slice(1);
    await Promise.all(watchers.map((watcher) => waitForText(watcher, filler, remaining())));
    await sleep(500); // let awareness removals and sync acknowledgements settle
    const before = { typist: readClientBytes([typist]), watchers: readClientBytes(watchers) };
    const random = createRandom(request.size);
    for (let keystroke = 0; keystroke < request.keystrokes; keystroke++) {
      const at = Math.floor(random() * (typist.text.length + 1));
      typist.text.insert(at, 'abcdefghij'[keystroke % 10]);
      await sleep(1000 / request.rate);
    }
    const finalText = typist.text.toString();
    let complete = true;
    try {
      await Promise.all(watchers.map((watcher) => waitForText(watcher, finalText, Math.min(10_000, remaining()))));
    } catch {
      complete = false;
    }
    await sleep(300); // the last acknowledgements
    return {
      documentLength: filler.length,
      keystrokes: request.keystrokes,
      watchers: watchers.length,
      complete,
      typistBytes: subtractBytes(readClientBytes([typist]), before.typist),
      watcherBytes: subtractBytes(readClientBytes(watchers), before.watchers),
    };
  } finally {
    for (const client of room) client.destroy();
  }
}

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.type) {
    case 'connect':
      return connect(request);
    case 'startTyping':
      startTyping(request);
      return null;
    case 'measure':
      return measure(request.on);
    case 'stopTyping':
      return stopTyping(request.drainMs, request.awaited);
    case 'census':
      return {
        clients: clients.length,
        open: clients.filter((client) => client.isOpen()).length,
        disconnects: clients.reduce((sum, client) => sum + client.disconnects, 0),
        rssBytes: process.memoryUsage.rss(),
      };
    case 'closeAll':
      await closeAll();
      return null;
    case 'replay':
      return replay(request);
    case 'freshSync':
      return freshSync(request);
    case 'wireBytes':
      return wireBytes(request);
    default: {
      const unknown: never = request;
      throw new Error(`unknown request ${JSON.stringify(unknown)}`);
    }
  }
}

// Every WebsocketProvider adds a process 'exit' listener; thousands are expected here.
process.setMaxListeners(0);
if (!process.send) throw new Error('load/worker.ts runs as a forked child of the bench suite');
process.on('message', (envelope: WorkerEnvelope) => {
  handle(envelope.request).then(
    (result) => process.send!({ id: envelope.id, ok: true, result } satisfies WorkerAnswer),
    (error: unknown) => process.send!({ id: envelope.id, ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) } satisfies WorkerAnswer),
  );
});
// The suite going away (even by SIGKILL) closes the channel: leave with it.
process.on('disconnect', () => process.exit(0));
// Exiting (rather than dying of the signal) lets `--cpu-prof` write its profile.
process.on('SIGTERM', () => process.exit(0));
// Providers of a dying server log reconnect noise through unhandled rejections; keep the worker alive.
process.on('unhandledRejection', () => undefined);
