import { readdir, readFile } from 'node:fs/promises';
import { createLocalRunner, type LocalRunnerOptions } from '../../server/run/local/local-runner.ts';
import type { RunFile, RunLimits, RunOutcome, Runner } from '../../server/run/runner.ts';
import type { Language } from '../../shared/protocol.ts';

/**
 * Small limits for the sandbox tests, so hostile programs end quickly. Wall
 * and CPU are generous enough for a loaded 2-core machine (a Java hello
 * takes seconds there).
 */
export const TEST_LIMITS: RunLimits = {
  wallMs: 20_000,
  compileMs: 60_000,
  cpuMs: 20_000,
  memoryMb: 256,
  processes: 64,
  outputBytes: 256 * 1024,
  fileSizeBytes: 1024 * 1024,
};

/** The local runner, or a test failure saying why there is none (bubblewrap must be installed: `.ci/run` does it). */
export async function requireLocalRunner(options: LocalRunnerOptions = {}): Promise<Runner> {
  const problems: unknown[] = [];
  const runner = await createLocalRunner({ ...options, log: { warn: (...args: unknown[]) => problems.push(args), info: () => undefined } as never });
  if (!runner) throw new Error(`no local runner here (is bwrap installed?): ${JSON.stringify(problems)}`);
  return runner;
}

/** What a program did, as the room would see it. */
export interface ProgramResult {
  outcome: RunOutcome;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved, in order. */
  output: string;
  /** How many times `onOutput` was called. */
  chunks: number;
}

export interface ProgramOptions {
  stdin?: string;
  args?: string[];
  limits?: Partial<RunLimits>;
  /** Files beside the entry. */
  files?: RunFile[];
  signal?: AbortSignal;
}

/** Runs `code` as the entry file `entry` in `language`. */
export async function runProgram(runner: Runner, language: Language, entry: string, code: string, options: ProgramOptions = {}): Promise<ProgramResult> {
  const result = { stdout: '', stderr: '', output: '', chunks: 0 };
  const outcome = await runner.run(
    {
      runId: `test-${Math.random().toString(36).slice(2)}`,
      language,
      entry,
      files: [{ path: entry, content: code }, ...(options.files ?? [])],
      stdin: options.stdin ?? '',
      args: options.args ?? [],
      limits: { ...TEST_LIMITS, ...options.limits },
    },
    (stream, chunk) => {
      result[stream] += chunk;
      result.output += chunk;
      result.chunks++;
    },
    options.signal ?? new AbortController().signal,
  );
  return { outcome, ...result };
}

/** Pids of the host's processes whose command line contains `marker` (a program's leftovers). */
export async function processesWithMarker(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(marker)) found.push(Number(entry));
  }
  return found;
}

/** A string no other test's process has in its command line. */
export function uniqueMarker(name: string): string {
  return `pairpad-${name}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}
