/**
 * `npm run bench:history-build`: the history worker's share of a keystroke,
 * alone. The automerge-paper trace is recorded as the server records it
 * (one change per transaction, in segments of 8 as the journal commits
 * them, stamped as a fast typist makes them) and then built into versions
 * in the same thread a history worker would use, in builds of ~22,000
 * changes (the rate at which `history.bench.ts` replays). Reports per
 * round the wall time and the process's CPU per change of the builds (µs),
 * the stored bytes and how many versions. Runs in a worker thread, where
 * the build keeps its document between builds as in the server.
 */
import { readFileSync } from 'node:fs';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { gunzipSync } from 'node:zlib';
import * as Y from 'yjs';
import { CODE_TEXT } from '../../shared/protocol.ts';
import { buildVersions, type BuildOptions } from '../../server/history/build-versions.ts';
import { encodeChangeIndex, encodeUpdateList, type RecordedChange } from '../../server/history/change-index.ts';
import { changedOnlyTexts, createdRanges } from '../../server/history/change-recorder.ts';

const TRACE_PATH = process.env.PAPER_TRACE ?? '/work/shared/data/automerge-paper.json.gz';
const BUILD_EVERY = Number(process.env.BENCH_BUILD_EVERY ?? 22_000);
const SEGMENT = 8;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** `BENCH_BATCH=0`: record no change as text-only, so that each replays in a transaction of its own (as changes stored before the flag). */
const BATCH = process.env.BENCH_BATCH !== '0';

interface Trace {
  startContent: string;
  txns: { patches: [number, number, string][] }[];
}

const timeOf = (index: number) => Date.parse('2026-01-05T09:00:00.000Z') + index * 120 + Math.floor(index / 400) * 4_000;

function record(trace: Trace): { base: Uint8Array; segments: { update: Uint8Array; changes: Uint8Array; lastIndex: number }[] } {
  const doc = new Y.Doc();
  doc.getText(CODE_TEXT).insert(0, trace.startContent);
  const base = Y.encodeStateAsUpdate(doc);
  const author = { name: 'Martin', color: '#3366ff' };
  const segments: { update: Uint8Array; changes: Uint8Array; lastIndex: number }[] = [];
  let pending: RecordedChange[] = [];
  let index = 0;
  doc.on('update', (update: Uint8Array, _origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) => {
    pending.push({ at: timeOf(index), author, ops: [], ranges: createdRanges(transaction), update, ...(BATCH && changedOnlyTexts(transaction) ? { textOnly: true } : {}) });
  });
  const text = doc.getText(CODE_TEXT);
  for (; index < trace.txns.length; index++) {
    doc.transact(() => {
      for (const [pos, del, ins] of trace.txns[index].patches) {
        if (del > 0) text.delete(pos, del);
        if (ins) text.insert(pos, ins);
      }
    });
    if (pending.length === SEGMENT || index === trace.txns.length - 1) {
      segments.push({ update: encodeUpdateList(pending.map((change) => change.update!)), changes: encodeChangeIndex(pending, new Map()), lastIndex: index });
      pending = [];
    }
  }
  return { base, segments };
}

function buildAll(base: Uint8Array, segments: { update: Uint8Array; changes: Uint8Array; lastIndex: number }[]) {
  let cached: string | undefined;
  let since = { sinceBytes: 0, sinceVersions: 0, snapshotAtBytes: 40 * 1024 };
  let remainder: { update: Uint8Array; changes: Uint8Array } | null = null;
  let stored = 0;
  let versions = 0;
  let changes = 0;
  const started = performance.now();
  for (let from = 0; from < segments.length; ) {
    let to = from;
    while (to < segments.length && (segments[to].lastIndex - (segments[from].lastIndex - SEGMENT)) < BUILD_EVERY) to++;
    to = Math.max(to, from + 1);
    const batch = segments.slice(from, to);
    const last = batch.at(-1)!.lastIndex;
    const options: BuildOptions = {
      roomId: 'bench', now: to === segments.length ? timeOf(last) + 10_000 : timeOf(last) + 100, pauseMs: 2_000, maxSpanMs: 60_000, closeOpen: false,
      snapshotShare: 0.625, snapshotAtVersions: 200, ...since,
      ...(cached ? { cached } : { base: { updates: [], raw: [encodeUpdateList([base])] } }),
    };
    const built = buildVersions([...(remainder ? [remainder] : []), ...batch.map(({ update, changes }) => ({ update, changes }))], options);
    if (built.miss) throw new Error('the kept document was lost');
    for (const version of built.versions) {
      stored += version.update.length + version.changes.length + (version.snapshot?.length ?? 0);
      changes += version.changeCount;
    }
    versions += built.versions.length;
    remainder = built.remainder;
    if (built.kept) {
      const { token, ...rest } = built.kept;
      cached = token;
      since = rest;
    } else cached = undefined;
    from = to;
  }
  return { ms: performance.now() - started, stored, versions, changes };
}

if (isMainThread) {
  // Loaded as an ES module through tsx, as the history worker is (`lazy-worker.boot.mjs`).
  const boot = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(import.meta.url)}, ${JSON.stringify(import.meta.url)}))`;
  const worker = new Worker(boot, { eval: true });
  worker.on('message', (line: unknown) => console.log(JSON.stringify(line)));
  worker.on('error', (error) => {
    console.error(error);
    process.exitCode = 1;
  });
} else {
  const trace = JSON.parse(gunzipSync(readFileSync(TRACE_PATH)).toString('utf8')) as Trace;
  const { base, segments } = record(trace);
  for (let round = 1; round <= ROUNDS; round++) {
    const cpu = process.cpuUsage();
    const result = buildAll(base, segments);
    const used = process.cpuUsage(cpu);
    parentPort!.postMessage({
      round, changes: result.changes, versions: result.versions, storedKiB: Math.round(result.stored / 1024),
      wallUsPerChange: +((result.ms * 1000) / result.changes).toFixed(2),
      cpuUsPerChange: +((used.user + used.system) / result.changes).toFixed(2),
    });
  }
}
