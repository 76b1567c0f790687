import { LANGUAGES, type Language } from '../../../shared/protocol.ts';
import type { RunJob, RunOutcome, Runner, Runtime } from '../runner.ts';
import { OutputCap } from '../output-cap.ts';
import { pistonExecuteResponse, pistonRuntime, type PistonExecuteRequest, type PistonRuntime, type PistonStage } from './piston-api.ts';

/** Piston's names for our languages, where they differ (its `c++`, `bash`, …). */
const PISTON_NAMES: Partial<Record<string, Language>> = {
  'c++': 'cpp', cpp: 'cpp', bash: 'shell', sh: 'shell', node: 'javascript', js: 'javascript', ts: 'typescript', py: 'python', python3: 'python',
};

/** Our language for one of Piston's runtimes, by its name or an alias; `undefined` for one we have no room language for. */
export function languageOfPistonRuntime(runtime: PistonRuntime): Language | undefined {
  for (const name of [runtime.language, ...runtime.aliases]) {
    const lower = name.toLowerCase();
    if ((LANGUAGES as readonly string[]).includes(lower) && lower !== 'plaintext') return lower as Language;
    const mapped = PISTON_NAMES[lower];
    if (mapped) return mapped;
  }
  return undefined;
}

/** Time the engine gets beyond the run's own limits before the runner gives up on it. */
const ENGINE_SLACK_MS = 15_000;

/**
 * `RUNNER=piston`: sends each run to a Piston-compatible engine at
 * `baseUrl`. The engine answers at the end, so the room sees the output
 * then, in one piece: the compile stage's, then stdout, then stderr (Piston
 * reports their interleaving only as one text, with no stream marks).
 */
export function createPistonRunner({ baseUrl }: { baseUrl: string }): Runner {
  const root = baseUrl.replace(/\/+$/, '');
  /** Our language to the engine's runtime for it (the first it lists). */
  let detected: Promise<Map<Language, PistonRuntime>> | undefined;

  const detect = async () => {
    const response = await fetch(`${root}/api/v2/runtimes`, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`the Piston engine answered ${response.status} to GET /api/v2/runtimes`);
    const listed = pistonRuntime.array().parse(await response.json());
    const byLanguage = new Map<Language, PistonRuntime>();
    for (const runtime of listed) {
      const language = languageOfPistonRuntime(runtime);
      if (language && !byLanguage.has(language)) byLanguage.set(language, runtime);
    }
    return byLanguage;
  };
  // A failed detection is asked again next time: the engine may start after us.
  const runtimesByLanguage = () => (detected ??= detect().catch((error: unknown) => {
    detected = undefined;
    throw error;
  }));

  return {
    kind: 'piston',

    async runtimes(): Promise<Runtime[]> {
      const byLanguage = await runtimesByLanguage();
      return [...byLanguage].map(([language, runtime]) => ({ language, version: runtime.version, aliases: runtime.aliases }));
    },

    async run(job: RunJob, onOutput, signal): Promise<RunOutcome> {
      const began = performance.now();
      const failed = (message: string): RunOutcome => ({
        status: 'failed', exitCode: null, signal: null, truncated: false, wallMs: Math.round(performance.now() - began), cpuMs: null, maxRssKb: null, message,
      });
      let runtime: PistonRuntime | undefined;
      try {
        runtime = (await runtimesByLanguage()).get(job.language);
      } catch (error) {
        return failed(`the Piston engine could not be reached: ${(error as Error).message}`);
      }
      if (!runtime) return failed(`the Piston engine has no runtime for ${job.language}`);

      // The entry first: Piston runs the first file.
      const files = [...job.files].sort((a, b) => (a.path === job.entry ? -1 : b.path === job.entry ? 1 : 0));
      const body: PistonExecuteRequest = {
        language: runtime.language,
        version: runtime.version,
        files: files.map((file) => ({ name: file.path, content: file.content })),
        stdin: job.stdin,
        args: job.args,
        compile_timeout: job.limits.compileMs,
        run_timeout: job.limits.wallMs,
        compile_memory_limit: job.limits.memoryMb * 1024 * 1024,
        run_memory_limit: job.limits.memoryMb * 1024 * 1024,
      };
      const timeout = AbortSignal.timeout(job.limits.compileMs + job.limits.wallMs + ENGINE_SLACK_MS);
      let answer: unknown;
      try {
        const response = await fetch(`${root}/api/v2/execute`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.any([signal, timeout]),
        });
        answer = await response.json().catch(() => undefined);
        if (!response.ok) {
          const message = (answer as { message?: unknown } | undefined)?.message;
          return failed(`the Piston engine refused the run (${response.status})${typeof message === 'string' ? `: ${message.slice(0, 500)}` : ''}`);
        }
      } catch (error) {
        if (signal.aborted) return { ...failed('canceled'), status: 'canceled', message: 'stopped by a user' };
        if (timeout.aborted) return failed('the Piston engine did not answer in time');
        return failed(`the Piston engine could not be reached: ${(error as Error).message}`);
      }
      if (signal.aborted) return { ...failed('canceled'), status: 'canceled', message: 'stopped by a user' };
      const parsed = pistonExecuteResponse.safeParse(answer);
      if (!parsed.success) return failed('the Piston engine gave an answer this server does not understand');
      return toOutcome(parsed.data.compile, parsed.data.run, job, onOutput, Math.round(performance.now() - began));
    },
  };
}

function toOutcome(
  compile: PistonStage | undefined,
  run: PistonStage,
  job: RunJob,
  onOutput: (stream: 'stdout' | 'stderr', chunk: string) => void,
  elapsedMs: number,
): RunOutcome {
  const cap = new OutputCap(job.limits.outputBytes, onOutput);
  const compileFailed = compile !== undefined && (compile.code !== 0 || compile.signal !== null);
  if (compile) {
    cap.write('stdout', compile.stdout);
    cap.write('stderr', compile.stderr);
  }
  const stage = compileFailed ? compile : run;
  if (!compileFailed) {
    cap.write('stdout', run.stdout);
    cap.write('stderr', run.stderr);
  }
  const truncated = cap.truncated || stage.status === 'OL' || stage.status === 'EL';
  const wallMs = Math.round(stage.wall_time ?? elapsedMs);
  const common = {
    exitCode: stage.code,
    signal: stage.signal,
    truncated,
    wallMs,
    cpuMs: stage.cpu_time == null ? null : Math.round(stage.cpu_time),
    maxRssKb: stage.memory == null ? null : Math.round(stage.memory / 1024),
  };
  const limit = compileFailed ? job.limits.compileMs : job.limits.wallMs;
  // Older engines say nothing but SIGKILL; a kill at the time limit is the timeout.
  if (stage.status === 'TO' || (stage.signal === 'SIGKILL' && stage.status == null && wallMs >= limit)) {
    return { status: 'timed_out', ...common, message: `${compileFailed ? 'compiling' : 'running'} took longer than ${limit} ms` };
  }
  if (stage.status === 'XX') return { status: 'failed', ...common, message: stage.message ?? 'the Piston engine failed to run it' };
  if (stage.signal === 'SIGKILL') return { status: 'killed', ...common, message: stage.message ?? 'stopped by the engine at a limit (memory, processes or output)' };
  return { status: 'finished', ...common, ...(compileFailed ? { message: 'compiling failed' } : {}) };
}
