/**
 * What client keys cost per keystroke: the time the message guard's
 * `beforeHandleMessage` takes per incoming message on a real server
 * (SQLite), with three stock providers typing one character per
 * transaction, once without keys and once with keys. The first write of
 * each keyed connection looks its binding up (and binds it) in the
 * database; every later keystroke costs a Set lookup. Prints JSON and a
 * table; never fails on a figure.
 *
 * Run: `npm run bench:client-keys` (BENCH_KEYS_KEYSTROKES per typist,
 * default 2000; BENCH_KEYS_ROUNDS, default 2, after one warm-up pass). To compare with the guard before client keys, save it
 * (`git show <commit>:server/collab/message-guard.extension.ts`) beside the
 * current one and set BENCH_KEYS_GUARD_MODULE to its absolute path: a third
 * pass runs with it (constructed as it was then: limits and metrics).
 */
import { randomBytes } from 'node:crypto';
import type { Extension } from '@hocuspocus/server';
import { MessageGuardExtension } from '../../server/collab/message-guard.extension.ts';
import { connectClient, type TestClient } from '../support/providers.ts';
import { createRoom, startTestServer } from '../support/server.ts';
import { formatTable, percentile, round } from './support/stats.ts';

const keystrokes = Number(process.env.BENCH_KEYS_KEYSTROKES ?? 2_000);
const TYPISTS = 3;

type Mode = 'no keys' | 'keys' | 'other guard, no keys';

async function measure(mode: Mode): Promise<Record<string, number | string>> {
  const server = await startTestServer();
  try {
    const { hocuspocus } = server.pairpad.collab;
    const extensions = hocuspocus.configuration.extensions;
    const at = extensions.findIndex((extension) => extension instanceof MessageGuardExtension);
    if (mode === 'other guard, no keys') {
      const { MessageGuardExtension: Other } = (await import(process.env.BENCH_KEYS_GUARD_MODULE!)) as { MessageGuardExtension: new (...args: unknown[]) => Extension };
      const { metrics } = extensions[at] as unknown as { metrics: unknown };
      extensions[at] = new Other({ maxDocumentChars: server.config.maxDocumentChars }, metrics);
    }
    const guard = extensions[at] as MessageGuardExtension;
    const original = guard.beforeHandleMessage!.bind(guard);
    const samples: number[] = [];
    guard.beforeHandleMessage = async (payload) => {
      const start = process.hrtime.bigint();
      try {
        await original(payload);
      } finally {
        samples.push(Number(process.hrtime.bigint() - start) / 1e3);
      }
    };

    const { roomId } = await createRoom(server.baseUrl, { code: '' });
    const typists: TestClient[] = [];
    for (let i = 0; i < TYPISTS; i++) {
      typists.push(connectClient(server.wsUrl, roomId, mode === 'keys' ? { clientKey: randomBytes(16).toString('base64url') } : {}));
    }
    await Promise.all(typists.map((typist) => typist.synced));
    samples.length = 0; // the syncs: not keystrokes
    for (let i = 0; i < keystrokes; i++) {
      for (const typist of typists) typist.text.insert(typist.text.length, 'x');
      if (i % 25 === 24) await allAcknowledged(typists);
    }
    await allAcknowledged(typists);
    for (const typist of typists) typist.destroy();
    const sorted = Float64Array.from(samples).sort();
    // The first writes of each connection (the binding's lookup) are the slowest; the rest is the keystroke path.
    const steady = sorted.subarray(0, Math.max(0, sorted.length - TYPISTS));
    const mean = (values: Float64Array) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
    return {
      mode,
      messages: samples.length,
      meanUs: round(mean(sorted)),
      steadyMeanUs: round(mean(steady)),
      p50Us: round(percentile(sorted, 50)),
      p99Us: round(percentile(sorted, 99)),
      maxUs: round(sorted[sorted.length - 1] ?? 0),
    };
  } finally {
    await server.close();
  }
}

async function allAcknowledged(typists: TestClient[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (typists.some((typist) => typist.provider.hasUnsyncedChanges)) {
    if (Date.now() > deadline) throw new Error('keystrokes not acknowledged within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const modes: Mode[] = ['no keys', 'keys', ...(process.env.BENCH_KEYS_GUARD_MODULE ? (['other guard, no keys'] as const) : [])];
// A first pass warms the JIT (the guard, Yjs, the providers); it is not reported.
await measure('no keys');
const rounds = Number(process.env.BENCH_KEYS_ROUNDS ?? 2);
const results: Record<string, number | string>[] = [];
for (let round = 0; round < rounds; round++) for (const mode of modes) results.push({ round: round + 1, ...(await measure(mode)) });
console.log(JSON.stringify({ bench: 'client-keys', keystrokesPerTypist: keystrokes, typists: TYPISTS, results }));
console.log(
  formatTable(
    ['round', 'mode', 'messages', 'mean µs', 'steady mean µs', 'p50 µs', 'p99 µs', 'max µs'],
    results.map((result) => [result.round, result.mode, result.messages, result.meanUs, result.steadyMeanUs, result.p50Us, result.p99Us, result.maxUs]),
  ),
);
process.exit(0);
