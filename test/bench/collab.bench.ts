/**
 * `npm run bench`: R rooms × C real HocuspocusProvider clients against a
 * Pairpad server in its own process; one typist per room at K keystrokes/s.
 * Prints JSON and a table: edit-to-remote latency, server CPU per delivered
 * keystroke, server RSS, bytes on the wire per keystroke.
 *
 * Settings (environment): BENCH_ROOMS (100), BENCH_CLIENTS (5 per room),
 * BENCH_RATE (10 keystrokes/s), BENCH_SECONDS (20 measured), BENCH_WARMUP (3 s),
 * BENCH_DATABASE_URL (Postgres; SQLite in a temporary directory otherwise).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { spawnServer } from '../support/child-server.ts';
import { createRoom } from '../support/server.ts';
import { readCpuMs, readRssBytes } from './support/process-usage.ts';
import { formatTable, percentile, round } from './support/stats.ts';

const rooms = Number(process.env.BENCH_ROOMS ?? 100);
const clientsPerRoom = Number(process.env.BENCH_CLIENTS ?? 5);
const rate = Number(process.env.BENCH_RATE ?? 10);
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const warmupSeconds = Number(process.env.BENCH_WARMUP ?? 3);

// Counts every byte each client socket sends and receives.
const wire = { sent: 0, received: 0 };
class CountingWebSocket extends WebSocket {
  constructor(address: string, protocols?: string | string[]) {
    super(address, protocols);
    this.on('message', (data: Buffer | ArrayBuffer) => {
      wire.received += data.byteLength;
    });
  }
  override send(data: any, ...rest: any[]): void {
    wire.sent += data.byteLength ?? data.length;
    super.send(data, ...rest);
  }
}

interface BenchRoom {
  typist: Y.Text;
  sentAt: number[];
  receivers: Y.Text[];
}

async function main() {
  const dataDir = process.env.BENCH_DATABASE_URL ? undefined : mkdtempSync(path.join(os.tmpdir(), 'pairpad-bench-'));
  const server = await spawnServer({
    LOG_LEVEL: 'info', // spawnServer waits for the 'listening' line
    // Hundreds of rooms and sockets from one address in seconds: not what the per-IP limits are for.
    RATE_LIMIT_ROOM_CREATE: '0',
    RATE_LIMIT_CONNECTIONS: '0',
    ...(dataDir ? { DATA_DIR: dataDir } : { DATABASE_URL: process.env.BENCH_DATABASE_URL }),
  });
  const latencies: number[] = [];
  let measuring = false;
  let keystrokes = 0;
  const destroyers: (() => void)[] = [];
  const benchRooms: BenchRoom[] = [];

  for (let r = 0; r < rooms; r++) {
    const { roomId } = await createRoom(server.baseUrl);
    const room: BenchRoom = { typist: undefined as never, sentAt: [], receivers: [] };
    for (let c = 0; c < clientsPerRoom; c++) {
      const doc = new Y.Doc();
      const socket = new HocuspocusProviderWebsocket({ url: `${server.wsUrl}/collab`, WebSocketPolyfill: CountingWebSocket });
      const synced = new Promise<void>((resolve) => {
        const provider = new HocuspocusProvider({ websocketProvider: socket, name: roomId, document: doc, onSynced: () => resolve() });
        provider.attach();
        provider.setAwarenessField('user', { name: `user ${r}.${c}`, color: '#888', colorLight: '#8883' });
        destroyers.push(() => {
          provider.destroy();
          socket.destroy();
        });
      });
      await synced;
      const text = doc.getText('code');
      if (c === 0) room.typist = text;
      else {
        room.receivers.push(text);
        // One typist appending: the n-th keystroke arrived when the length reaches n.
        text.observe(() => {
          const sentAt = room.sentAt[text.length - 1];
          if (measuring && sentAt !== undefined) latencies.push(performance.now() - sentAt);
        });
      }
    }
    benchRooms.push(room);
  }

  const timers = benchRooms.map((room, index) =>
    setTimeout(() => {
      const interval = setInterval(() => {
        room.sentAt.push(performance.now());
        room.typist.insert(room.typist.length, 'x');
        if (measuring) keystrokes++;
      }, 1000 / rate);
      destroyers.push(() => clearInterval(interval));
    }, (index * 1000) / rate / rooms),
  );

  await new Promise((resolve) => setTimeout(resolve, warmupSeconds * 1000));
  const cpuBefore = readCpuMs(server.process.pid!);
  const wireBefore = { ...wire };
  measuring = true;
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  measuring = false;
  const cpuMs = readCpuMs(server.process.pid!) - cpuBefore;
  const rssBytes = readRssBytes(server.process.pid!);
  const sentBytes = wire.sent - wireBefore.sent;
  const receivedBytes = wire.received - wireBefore.received;

  timers.forEach(clearTimeout);
  destroyers.forEach((destroy) => destroy());
  server.kill('SIGTERM');
  await server.exited;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });

  latencies.sort((a, b) => a - b);
  const delivered = keystrokes * (clientsPerRoom - 1);
  const result = {
    scenario: `${rooms} rooms x ${clientsPerRoom} clients, 1 typist/room at ${rate}/s`,
    database: process.env.BENCH_DATABASE_URL ? 'postgres' : 'sqlite',
    seconds,
    keystrokes,
    deliveries: latencies.length,
    expectedDeliveries: delivered,
    latencyMs: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(latencies.at(-1) ?? NaN) },
    serverCpuUsPerDeliveredKeystroke: round((cpuMs * 1000) / delivered),
    serverCpuPercent: round((cpuMs / (seconds * 1000)) * 100, 1),
    serverRssMiB: round(rssBytes / 1024 / 1024, 1),
    bytesPerKeystroke: {
      upstreamFromTypist: round(sentBytes / keystrokes, 1),
      downstreamPerReceiver: round(receivedBytes / delivered, 1),
    },
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(
    formatTable(
      ['scenario', 'db', 'p50 ms', 'p99 ms', 'CPU µs/delivery', 'server CPU %', 'RSS MiB', 'B up/key', 'B down/delivery'],
      [[result.scenario, result.database, result.latencyMs.p50, result.latencyMs.p99, result.serverCpuUsPerDeliveredKeystroke,
        result.serverCpuPercent, result.serverRssMiB, result.bytesPerKeystroke.upstreamFromTypist, result.bytesPerKeystroke.downstreamPerReceiver]],
    ),
  );
  process.exit(0);
}

await main();
