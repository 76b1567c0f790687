/**
 * `npm run bench:soak`: clients join rooms, type, and leave, over and over,
 * against a Pairpad server in its own process; every sample prints the
 * server's RSS, heap, open file descriptors, active handles, loaded rooms and
 * connections, so a leak shows as a curve that does not level off.
 *
 * Settings (environment): SOAK_MINUTES (30), SOAK_CLIENTS (500 at once),
 * SOAK_ROOMS (100), SOAK_SAMPLE_SECONDS (10), BENCH_DATABASE_URL (Postgres;
 * SQLite in a temporary directory otherwise).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnServer } from '../support/child-server.ts';
import { connectClient, connectYjsClient, createRandom, makeRandomEdit } from '../support/providers.ts';
import { createRoom } from '../support/server.ts';
import { readRssBytes } from './support/process-usage.ts';
import { formatTable, round } from './support/stats.ts';

const minutes = Number(process.env.SOAK_MINUTES ?? 30);
const concurrentClients = Number(process.env.SOAK_CLIENTS ?? 500);
const roomCount = Number(process.env.SOAK_ROOMS ?? 100);
const sampleSeconds = Number(process.env.SOAK_SAMPLE_SECONDS ?? 10);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function readMetric(text: string, name: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `) || candidate.startsWith(`${name}{`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : Number.NaN;
}

async function main() {
  const dataDir = process.env.BENCH_DATABASE_URL ? undefined : mkdtempSync(path.join(os.tmpdir(), 'pairpad-soak-'));
  const server = await spawnServer({
    LOG_LEVEL: 'info', // spawnServer waits for the 'listening' line
    RATE_LIMIT_ROOM_CREATE: '0',
    RATE_LIMIT_CONNECTIONS: '0',
    ...(dataDir ? { DATA_DIR: dataDir } : { DATABASE_URL: process.env.BENCH_DATABASE_URL }),
  });
  const pid = server.process.pid!;
  const rooms = await Promise.all(Array.from({ length: roomCount }, () => createRoom(server.baseUrl).then((room) => room.roomId)));
  const endsAt = Date.now() + minutes * 60_000;
  let sessions = 0;
  let keystrokes = 0;

  // One slot keeps one client busy: join a random room, type for a while, leave, again.
  const runSlot = async (slot: number) => {
    const random = createRandom(slot + 1);
    while (Date.now() < endsAt) {
      const roomId = rooms[Math.floor(random() * rooms.length)];
      const client = slot % 3 === 0 ? connectYjsClient(server.wsUrl, roomId) : connectClient(server.wsUrl, roomId);
      sessions++;
      try {
        await Promise.race([client.synced, sleep(10_000)]);
        const stayUntil = Math.min(endsAt, Date.now() + 5_000 + random() * 25_000);
        while (Date.now() < stayUntil) {
          if (client.text.length > 2_000) client.text.delete(0, 1_000);
          makeRandomEdit(client.text, random);
          keystrokes++;
          await sleep(200 + random() * 400);
        }
      } finally {
        client.destroy();
      }
      await sleep(random() * 3_000);
    }
  };

  const samples: Record<string, number>[] = [];
  const startedAt = Date.now();
  const sample = async () => {
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    samples.push({
      minute: round((Date.now() - startedAt) / 60_000, 1),
      rssMiB: round(readRssBytes(pid) / 1024 / 1024, 1),
      heapMiB: round(readMetric(metrics, 'pairpad_nodejs_heap_size_used_bytes') / 1024 / 1024, 1),
      openFds: readdirSync(`/proc/${pid}/fd`).length,
      activeHandles: readMetric(metrics, 'pairpad_nodejs_active_handles_total'),
      roomsLoaded: readMetric(metrics, 'pairpad_rooms_loaded'),
      connections: readMetric(metrics, 'pairpad_connections{protocol="collab"}') + readMetric(metrics, 'pairpad_connections{protocol="yjs"}'),
      sessions,
      keystrokes,
    });
    console.log(JSON.stringify(samples.at(-1)));
  };
  const sampler = setInterval(() => void sample(), sampleSeconds * 1000);
  await Promise.all(Array.from({ length: concurrentClients }, (_, slot) => sleep((slot * 2_000) / concurrentClients).then(() => runSlot(slot))));
  clearInterval(sampler);
  // Everyone left: the rooms should unload and memory settle.
  for (let second = 0; second < 30; second += sampleSeconds) {
    await sleep(sampleSeconds * 1000);
    await sample();
  }

  server.kill('SIGTERM');
  await server.exited;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });

  const mean = (rows: Record<string, number>[]) => rows.reduce((sum, row) => sum + row.rssMiB, 0) / rows.length;
  const running = samples.filter((row) => row.connections > 0);
  const third = Math.max(1, Math.floor(running.length / 3));
  const middle = mean(running.slice(third, 2 * third));
  const last = mean(running.slice(2 * third));
  // The heap after a major collection is its lowest sample: a leak shows as lows that keep rising.
  const lowestHeap = (rows: Record<string, number>[]) => Math.min(...rows.map((row) => row.heapMiB));
  const summary = {
    minutes,
    concurrentClients,
    rooms: roomCount,
    sessions,
    keystrokes,
    rssMiBMiddleThird: round(middle, 1),
    rssMiBLastThird: round(last, 1),
    rssGrowthPercent: round(((last - middle) / middle) * 100, 1),
    heapLowMiBByThird: [running.slice(0, third), running.slice(third, 2 * third), running.slice(2 * third)].map((rows) => (rows.length ? lowestHeap(rows) : Number.NaN)),
    afterEveryoneLeft: samples.at(-1),
  };
  console.log(JSON.stringify(summary, null, 2));
  const columns = Object.keys(samples[0] ?? {});
  console.log(formatTable(columns, samples.map((row) => columns.map((column) => row[column]))));
  process.exit(0);
}

await main();
