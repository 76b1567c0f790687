/**
 * `npm run bench:files-zip`: what the zip routes cost the event loop, on a
 * zip as large as a room may be (MAX_DOCUMENT_BYTES, 5 MiB: 200 files of
 * 12,000 characters of source-like text, 2.4 M characters), against an
 * in-process server on SQLite:
 * - `readZip` alone (inflating runs in libuv's thread pool);
 * - `POST /api/rooms` with the zip (read, check, seed, store);
 * - `GET /api/rooms/:id/archive` (deflating in the thread pool);
 * - a 1 GiB-inflating bomb refused.
 * For each: wall time and the longest stretch the event loop was blocked
 * (a timer every millisecond measures it). Prints JSON and a table; never
 * fails on a timing.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { readZip } from '../../server/files/zip-reader.ts';
import { writeZip } from '../../server/files/zip-writer.ts';
import { startTestServer } from '../support/server.ts';
import { buildZip, zeroBomb } from '../support/zips.ts';

const RUNS = 5;
const FILES = 200;
const CHARS_PER_FILE = 12_000;

function sourceText(seed: number): string {
  const lines: string[] = [];
  let length = 0;
  for (let i = 0; length < CHARS_PER_FILE; i++) {
    const line = `def function_${seed}_${i}(value):\n    return value * ${(seed * 31 + i) % 97} + ${i}\n`;
    lines.push(line);
    length += line.length;
  }
  return lines.join('').slice(0, CHARS_PER_FILE);
}

async function measure(name: string, run: () => Promise<unknown>): Promise<{ name: string; wallMs: number[]; maxBlockedMs: number[] }> {
  const wallMs: number[] = [];
  const maxBlockedMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    const started = performance.now();
    await run();
    wallMs.push(performance.now() - started);
    histogram.disable();
    // The histogram counts the delay past the 1 ms resolution, in ns.
    maxBlockedMs.push(histogram.max / 1e6);
  }
  return { name, wallMs, maxBlockedMs };
}

const zip = await writeZip(Array.from({ length: FILES }, (_, i) => ({ path: `pkg${i % 10}/module_${i}.py`, content: sourceText(i) })));
const bomb = buildZip([{ name: 'bomb.txt', compressed: zeroBomb(1024), size: 0x40000000, crc: 0 }]);
const server = await startTestServer({});
const results = [];
try {
  results.push(await measure('readZip (200 files, 2.4 M chars)', () => readZip(zip, { maxEntries: 800, maxInflatedBytes: server.config.maxDocumentChars })));
  let roomId = '';
  results.push(
    await measure('POST /api/rooms (zip)', async () => {
      const response = await fetch(`${server.baseUrl}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/zip' }, body: zip });
      if (response.status !== 201) throw new Error(`create: ${response.status} ${await response.text()}`);
      roomId = ((await response.json()) as { roomId: string }).roomId;
    }),
  );
  results.push(
    await measure('GET /api/rooms/:id/archive', async () => {
      const response = await fetch(`${server.baseUrl}/api/rooms/${roomId}/archive`);
      await response.arrayBuffer();
    }),
  );
  results.push(
    await measure('POST /api/rooms (1 GiB bomb, refused)', async () => {
      const response = await fetch(`${server.baseUrl}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/zip' }, body: bomb });
      if (response.status !== 413) throw new Error(`bomb: ${response.status}`);
      await response.text();
    }),
  );
} finally {
  await server.close();
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(JSON.stringify({ zipBytes: zip.length, bombBytes: bomb.length, runs: RUNS, results }, null, 2));
console.log(`\nzip ${zip.length} bytes, bomb ${bomb.length} bytes, ${RUNS} runs each`);
console.log('case'.padEnd(40), 'wall median ms'.padStart(15), 'max blocked ms (worst run)'.padStart(28));
for (const result of results) {
  console.log(result.name.padEnd(40), median(result.wallMs).toFixed(1).padStart(15), Math.max(...result.maxBlockedMs).toFixed(1).padStart(28));
}
