import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, constants, mkdir, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import type { Language } from '../../../shared/protocol.ts';
import type { RunJob, RunOutcome, Runner, Runtime } from '../runner.ts';
import { prepareCgroupParents } from './cgroups.ts';
import { OutputCapture } from './output-capture.ts';
import { describeSystemView, type SandboxSpec, type SystemView } from './sandbox-args.ts';
import { SandboxStep, type LimitKind, type SandboxHost, type StagedBind, type StepLimits, type StepResult } from './sandbox-step.ts';
import { detectToolchains, type StepCommand, type Toolchain } from './toolchains.ts';
import { createRunDirectory, defaultWorkRoot, prepareWorkRoot, type RunDirectory, type SandboxIdentity } from './workdir.ts';

const execFileAsync = promisify(execFile);

/** Where and how the local sandbox runs programs (from the configuration). */
export interface LocalRunnerOptions {
  /**
   * Parent of the runs' private working directories (never inside the data
   * directory). Default `/dev/shm/pairpad-runs` when `/dev/shm` is a
   * writable memory file system, else `pairpad-runs` in the OS temp dir.
   */
  workRoot?: string;
  /** Directories the work root must not be inside (the data directory). */
  forbiddenRoots?: readonly string[];
  /** The `bwrap` binary; default the first of `/usr/bin/bwrap`, `/usr/local/bin/bwrap`. */
  bwrapPath?: string;
  /** User and group the programs run as (outside the sandbox too, when the server is root); default 65534 (nobody). */
  sandboxUid?: number;
  sandboxGid?: number;
  /** Directories searched for compilers besides `/usr/local/bin` and `/usr/bin` (default `~/.cargo/bin`, `/usr/local/go/bin`). */
  toolchainPath?: readonly string[];
  /** Memory a compiler may use, in MiB (default the larger of the run's memory limit and 512). */
  compileMemoryMb?: number;
  /** Processes a compiler may have at once (default the larger of the run's limit and 64). */
  compileProcesses?: number;
  /** Open files per process (default 256). */
  openFiles?: number;
  /**
   * Output dropped past `limits.outputBytes` before the program is killed
   * as a runaway (default 4× the limit, at least 4 MiB): up to it, a
   * program that overshoots still runs to its own end.
   */
  runawayOutputBytes?: number;
  /** Where the sandbox's problems at start are told (default silent). */
  log?: Pick<Logger, 'warn' | 'info'>;
}

const NOBODY = 65534;

/**
 * The local runner: each program in a fresh bubblewrap sandbox (see
 * docs/security.md). Undefined when `bwrap` is not installed or a sandbox
 * cannot be started here (no user namespaces, for instance); rejects on a
 * work root inside one of `forbiddenRoots` or not owned by the server.
 */
export async function createLocalRunner(options: LocalRunnerOptions = {}): Promise<Runner | undefined> {
  const bwrap = await firstExecutable(options.bwrapPath ? [options.bwrapPath] : ['/usr/bin/bwrap', '/usr/local/bin/bwrap']);
  if (!bwrap) return undefined;
  const isRoot = process.getuid?.() === 0;
  const identity: SandboxIdentity = { uid: options.sandboxUid ?? (isRoot ? NOBODY : process.getuid!()), gid: options.sandboxGid ?? (isRoot ? NOBODY : process.getgid!()) };
  const setpriv = isRoot ? await firstExecutable(['/usr/bin/setpriv', '/bin/setpriv']) : undefined;
  if (isRoot && !setpriv) {
    options.log?.warn('local runner: setpriv (util-linux) is missing; the sandbox will not run as root, so runs are off');
    return undefined;
  }
  const prlimit = await firstExecutable(['/usr/bin/prlimit', '/bin/prlimit']);
  const workRoot = await prepareWorkRoot(options.workRoot ?? (await defaultWorkRoot()), options.forbiddenRoots ?? []);
  const help = await execFileAsync(bwrap, ['--help']).then(({ stdout }) => stdout, () => '');
  const view = await describeSystemView(path.join(workRoot, '.etc'), identity, help);
  const cgroups = isRoot ? await prepareCgroupParents() : undefined;
  if (!cgroups) options.log?.warn('local runner: no writable cgroup v1 (memory, pids, cpuacct); limits fall back to rlimits');
  const unshare = isRoot ? await firstExecutable(['/usr/bin/unshare', '/bin/unshare']) : undefined;
  const nice = await firstExecutable(['/usr/bin/nice', '/bin/nice']);
  if (!nice) options.log?.warn('local runner: nice (coreutils) is missing; runs compete with the server for CPU at its own priority');
  const host: SandboxHost = { bwrap, setpriv, prlimit, unshare, identity, cgroups, nice };
  const toolchains = await detectToolchains({
    extraPath: options.toolchainPath ?? [path.join(os.homedir(), '.cargo', 'bin'), '/usr/local/go/bin'],
  });

  const binds = await resolveToolchainBinds(toolchains, host, path.join(workRoot, '.stage'), options.log);

  const runner = new LocalRunner(host, view, workRoot, identity, toolchains, binds, options);
  const problem = await runner.selfTest();
  if (problem) {
    options.log?.warn({ problem }, 'local runner: a sandbox cannot start here; runs are off');
    return undefined;
  }
  return runner;
}

class LocalRunner implements Runner {
  readonly kind = 'local' as const;

  constructor(
    private readonly host: SandboxHost,
    private readonly view: SystemView,
    private readonly workRoot: string,
    private readonly identity: SandboxIdentity,
    private readonly toolchains: ReadonlyMap<Language, Toolchain>,
    private readonly binds: ReadonlyMap<string, ResolvedBind>,
    private readonly options: LocalRunnerOptions,
  ) {}

  async runtimes(): Promise<Runtime[]> {
    return [...this.toolchains.values()].map((toolchain) => toolchain.runtime);
  }

  /** Starts `/usr/bin/true` in a sandbox; the reason it could not, or undefined. */
  async selfTest(): Promise<string | undefined> {
    const job: RunJob = {
      runId: 'self-test', language: 'shell', entry: 'main.sh', files: [], stdin: '', args: [],
      limits: { wallMs: 10_000, compileMs: 10_000, cpuMs: 10_000, memoryMb: 64, processes: 16, outputBytes: 4096, fileSizeBytes: 4096 },
    };
    let output = '';
    const toolchain: Toolchain = { runtime: { language: 'shell', version: '', aliases: [] }, binds: [], run: () => ({ argv: ['/usr/bin/true'] }) };
    const outcome = await this.runWith(toolchain, job, (_stream, chunk) => { output += chunk; }, new AbortController().signal);
    return outcome.status === 'finished' && outcome.exitCode === 0 ? undefined : `${outcome.status} ${outcome.message ?? ''} ${output}`.trim();
  }

  async run(job: RunJob, onOutput: (stream: 'stdout' | 'stderr', chunk: string) => void, signal: AbortSignal): Promise<RunOutcome> {
    const toolchain = this.toolchains.get(job.language);
    if (!toolchain) return failedOutcome(`${job.language} cannot run on this server`);
    if (job.args.some((arg) => arg.includes('\0'))) return failedOutcome('an argument cannot contain NUL');
    return this.runWith(toolchain, job, onOutput, signal);
  }

  private async runWith(toolchain: Toolchain, job: RunJob, onOutput: (stream: 'stdout' | 'stderr', chunk: string) => void, signal: AbortSignal): Promise<RunOutcome> {
    if (signal.aborted) return { ...emptyOutcome(), status: 'canceled' };
    const started = performance.now();
    let dirs: RunDirectory;
    try {
      dirs = await createRunDirectory(this.workRoot, job.files, this.host.setpriv ? this.identity : undefined);
    } catch (error) {
      return failedOutcome(`could not write the room's files: ${(error as Error).message}`);
    }
    let current: SandboxStep | undefined;
    const capture = new OutputCapture(
      {
        limitBytes: job.limits.outputBytes,
        runawayBytes: this.options.runawayOutputBytes ?? Math.max(4 * job.limits.outputBytes, 4 * 1024 * 1024),
      },
      onOutput,
      () => current?.stop('limit', 'output'),
    );
    const onAbort = () => current?.stop('canceled');
    signal.addEventListener('abort', onAbort);
    try {
      if (toolchain.compile) {
        current = new SandboxStep();
        if (signal.aborted) current.stop('canceled');
        const limits = this.compileLimits(job);
        const compiled = await current.run(this.host, this.spec(toolchain, toolchain.compile(job), dirs, true, limits), this.staged(toolchain), limits, '', capture);
        if (compiled.ending !== 'exited' || compiled.exitCode !== 0 || compiled.signal !== null) {
          capture.end();
          return toOutcome(compiled, capture.truncated, 'compiling', limits);
        }
      }
      current = new SandboxStep();
      if (signal.aborted) current.stop('canceled');
      const limits = this.runLimits(job, toolchain);
      const ran = await current.run(this.host, this.spec(toolchain, toolchain.run(job), dirs, false, limits), this.staged(toolchain), limits, job.stdin, capture);
      capture.end();
      return toOutcome(ran, capture.truncated, 'the program', limits);
    } catch (error) {
      capture.end();
      return { ...failedOutcome(`the run broke: ${(error as Error).message}`), wallMs: Math.round(performance.now() - started) };
    } finally {
      signal.removeEventListener('abort', onAbort);
      await dirs.remove().catch((error: Error) => this.options.log?.warn({ err: error, runId: job.runId }, 'local runner: could not remove a run directory'));
    }
  }

  private staged(toolchain: Toolchain): StagedBind[] {
    return toolchain.binds.flatMap((bind) => this.binds.get(bind.source)!.staged ?? []);
  }

  private spec(toolchain: Toolchain, command: StepCommand, dirs: RunDirectory, compiling: boolean, limits: StepLimits): SandboxSpec {
    return {
      view: this.view,
      identity: this.identity,
      box: dirs.box,
      build: dirs.build,
      buildWritable: compiling,
      binds: toolchain.binds.map((bind) => ({ source: this.binds.get(bind.source)!.reachable, target: bind.target })),
      env: command.env ?? {},
      tmpfsBytes: limits.memoryMb * 1024 * 1024,
      argv: command.argv,
    };
  }

  private runLimits(job: RunJob, toolchain: Toolchain): StepLimits {
    return {
      wallMs: job.limits.wallMs,
      cpuMs: job.limits.cpuMs,
      memoryMb: job.limits.memoryMb,
      processes: job.limits.processes,
      fileSizeBytes: job.limits.fileSizeBytes,
      openFiles: this.options.openFiles ?? 256,
      addressSpaceFallback: !['java', 'javascript', 'typescript', 'go'].includes(toolchain.runtime.language),
    };
  }

  private compileLimits(job: RunJob): StepLimits {
    return {
      wallMs: job.limits.compileMs,
      cpuMs: job.limits.compileMs * 2,
      memoryMb: this.options.compileMemoryMb ?? Math.max(job.limits.memoryMb, 512),
      processes: this.options.compileProcesses ?? Math.max(job.limits.processes, 64),
      fileSizeBytes: Math.max(job.limits.fileSizeBytes, 256 * 1024 * 1024),
      openFiles: this.options.openFiles ?? 256,
      addressSpaceFallback: false,
    };
  }
}

const LIMIT_WORDS: Record<LimitKind, (limits: StepLimits) => string> = {
  memory: (limits) => `memory limit (${limits.memoryMb} MiB) exceeded`,
  processes: (limits) => `process limit (${limits.processes}) reached`,
  cpu: (limits) => `CPU time limit (${limits.cpuMs} ms) exceeded`,
  'file size': (limits) => `file size limit (${limits.fileSizeBytes} bytes) exceeded`,
  output: () => 'it kept writing output long past the output limit',
};

function toOutcome(step: StepResult, truncated: boolean, what: 'compiling' | 'the program', limits: StepLimits): RunOutcome {
  const base = { exitCode: step.exitCode, signal: step.signal, truncated, wallMs: step.wallMs, cpuMs: step.cpuMs, maxRssKb: step.maxRssKb };
  switch (step.ending) {
    case 'exited':
      return what === 'compiling' ? { ...base, status: 'finished', message: 'compilation failed' } : { ...base, status: 'finished' };
    case 'timed_out':
      return { ...base, status: 'timed_out', message: `${what} took longer than ${limits.wallMs} ms` };
    case 'canceled':
      return { ...base, status: 'canceled' };
    case 'limit':
      return { ...base, status: 'killed', message: `${what === 'compiling' ? 'the compiler' : 'the program'} was killed: ${LIMIT_WORDS[step.limit ?? 'memory'](limits)}` };
    case 'failed':
      return { ...base, status: 'failed', message: step.message ?? 'the sandbox could not start' };
    default: {
      const unreachable: never = step.ending;
      throw new Error(`unknown step ending ${String(unreachable)}`);
    }
  }
}

function emptyOutcome(): Omit<RunOutcome, 'status'> {
  return { exitCode: null, signal: null, truncated: false, wallMs: 0, cpuMs: null, maxRssKb: null };
}

function failedOutcome(message: string): RunOutcome {
  return { ...emptyOutcome(), status: 'failed', message };
}

/** Where the sandbox user finds a toolchain path: itself, or a placeholder it is staged onto. */
interface ResolvedBind {
  reachable: string;
  staged?: StagedBind;
}

/**
 * Works out, once, how each path a toolchain needs beyond `/usr` is shown:
 * directly when the sandbox user can read it, else staged (root only; see
 * `StagedBind`) onto a placeholder under `stageDir`. A toolchain that can
 * be shown neither way is left out.
 */
async function resolveToolchainBinds(
  toolchains: Map<Language, Toolchain>, host: SandboxHost, stageDir: string, log: LocalRunnerOptions['log'],
): Promise<Map<string, ResolvedBind>> {
  const resolved = new Map<string, ResolvedBind>();
  for (const [language, toolchain] of toolchains) {
    try {
      for (const bind of toolchain.binds) {
        if (resolved.has(bind.source)) continue;
        const directory = (await stat(bind.source)).isDirectory();
        if (await readableBySandbox(host, bind.source)) {
          resolved.set(bind.source, { reachable: bind.source });
          continue;
        }
        if (!host.unshare) throw new Error(`${bind.source} is not readable by the sandbox user`);
        await mkdir(stageDir, { recursive: true, mode: 0o755 });
        // Named after the source, so runners sharing a work root agree on each placeholder.
        const onto = path.join(stageDir, `${createHash('sha256').update(bind.source).digest('hex').slice(0, 16)}${directory ? '' : '.file'}`);
        if (directory) await mkdir(onto, { recursive: true, mode: 0o755 });
        else await writeFile(onto, '', { mode: 0o644 });
        resolved.set(bind.source, { reachable: onto, staged: { from: bind.source, onto } });
      }
    } catch (error) {
      log?.warn({ err: error, language }, 'local runner: a toolchain cannot be shown to the sandbox; it is left out');
      toolchains.delete(language);
    }
  }
  return resolved;
}

/** True when the sandbox user (outside the sandbox) can read `file`. */
async function readableBySandbox(host: SandboxHost, file: string): Promise<boolean> {
  if (!host.setpriv) return true;
  const as = [`--reuid=${host.identity.uid}`, `--regid=${host.identity.gid}`, '--clear-groups', '--'];
  return execFileAsync(host.setpriv, [...as, '/usr/bin/test', '-r', file]).then(() => true, () => false);
}

async function firstExecutable(candidates: readonly string[]): Promise<string | undefined> {
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Next.
    }
  }
  return undefined;
}
