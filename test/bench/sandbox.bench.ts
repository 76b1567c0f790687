/**
 * `npm run bench:sandbox`: what one run in the local sandbox costs.
 *
 * SANDBOX_RUNS (default 30) runs each of: a Python "hello" started directly
 * (`/usr/bin/python3`, no sandbox: the floor), an empty shell program in
 * the runner (the sandbox's own cost: work directory, cgroups, bubblewrap,
 * namespaces, cleanup) and a Python "hello" in the runner, start to
 * finished outcome. One at a time. Then the server's event-loop delay
 * (p99, max) while hostile output runs: 100 MB written as fast as possible,
 * and 10,000 lines a second for 3 s. Prints JSON and tables.
 * The issue targets ≤ 150 ms p50 from POST to finished overall.
 */
import { execFile } from 'node:child_process';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { createLocalRunner } from '../../server/run/local/local-runner.ts';
import type { RunJob, Runner } from '../../server/run/runner.ts';
import type { Language } from '../../shared/protocol.ts';
import { cell, formatTable, percentile } from './support/stats.ts';

const runs = Number(process.env.SANDBOX_RUNS ?? 30);
const execFileAsync = promisify(execFile);

const limits: RunJob['limits'] = {
  wallMs: 10_000, compileMs: 10_000, cpuMs: 10_000, memoryMb: 256, processes: 64, outputBytes: 1024 * 1024, fileSizeBytes: 1024 * 1024,
};

function summarize(name: string, samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { name, runs: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted[sorted.length - 1] ?? Number.NaN };
}

async function timeRunner(runner: Runner, language: Language, entry: string, content: string, expected: string): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    let output = '';
    const started = performance.now();
    const outcome = await runner.run(
      { runId: `bench-${i}`, language, entry, files: [{ path: entry, content }], stdin: '', args: [], limits },
      (_stream, chunk) => { output += chunk; },
      new AbortController().signal,
    );
    samples.push(performance.now() - started);
    if (outcome.status !== 'finished' || outcome.exitCode !== 0 || output !== expected) {
      throw new Error(`run ${i} of ${language} went wrong: ${JSON.stringify(outcome)} ${JSON.stringify(output)}`);
    }
  }
  return samples;
}

const runner = await createLocalRunner({ log: { warn: (...args: unknown[]) => console.warn(...args), info: () => undefined } as never });
if (!runner) throw new Error('no local runner here (is bwrap installed?)');

const direct: number[] = [];
for (let i = 0; i < runs; i++) {
  const started = performance.now();
  await execFileAsync('/usr/bin/python3', ['-c', 'print("hello")']);
  direct.push(performance.now() - started);
}
const results = [
  summarize('python hello, no sandbox', direct),
  summarize('empty shell program in the runner', await timeRunner(runner, 'shell', 'main.sh', ':\n', '')),
  summarize('python hello in the runner', await timeRunner(runner, 'python', 'main.py', 'print("hello")\n', 'hello\n')),
];

/** Runs `code` (Python) while watching this process's event loop. */
async function loopDelayDuring(name: string, code: string) {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  let chunks = 0;
  let bytes = 0;
  const outcome = await runner!.run(
    { runId: 'bench-output', language: 'python', entry: 'main.py', files: [{ path: 'main.py', content: code }], stdin: '', args: [], limits },
    (_stream, chunk) => { chunks++; bytes += chunk.length; },
    new AbortController().signal,
  );
  histogram.disable();
  return { name, status: outcome.status, wallMs: outcome.wallMs, chunks, keptChars: bytes, loopP99Ms: histogram.percentile(99) / 1e6, loopMaxMs: histogram.max / 1e6 };
}
const output = [
  await loopDelayDuring('100 MB of output', 'import sys\nblock = "x" * 65535 + "\\n"\nfor _ in range(1600):\n    sys.stdout.write(block)\n'),
  await loopDelayDuring('10,000 lines/s for 3 s', 'import time\nstart = time.monotonic()\nfor i in range(30000):\n    print(i)\n    while time.monotonic() - start < i / 10000:\n        pass\n'),
];

console.log(JSON.stringify({ bench: 'sandbox', runs, results, output }, null, 2));
console.log(formatTable(['', 'runs', 'p50 ms', 'p95 ms', 'max ms'], results.map((row) => [row.name, row.runs, cell(row.p50), cell(row.p95), cell(row.max)])));
console.log(formatTable(
  ['while running', 'status', 'wall ms', 'onOutput calls', 'kept chars', 'loop delay p99 ms', 'loop delay max ms'],
  output.map((row) => [row.name, row.status, row.wallMs, row.chunks, row.keptChars, cell(row.loopP99Ms), cell(row.loopMaxMs)]),
));
