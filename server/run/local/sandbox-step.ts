import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { performance } from 'node:perf_hooks';
import { StepCgroup, type CgroupParents, type CgroupReadings } from './cgroups.ts';
import type { OutputCapture } from './output-capture.ts';
import { bubblewrapArgs, type SandboxSpec } from './sandbox-args.ts';
import type { SandboxIdentity } from './workdir.ts';

/** A limit other than wall time that stopped a step. */
export type LimitKind = 'memory' | 'processes' | 'cpu' | 'file size' | 'output';

/** How one sandboxed step (a compile or the program) ended. */
export interface StepResult {
  ending: 'exited' | 'timed_out' | 'canceled' | 'limit' | 'failed';
  limit?: LimitKind;
  exitCode: number | null;
  signal: string | null;
  wallMs: number;
  cpuMs: number | null;
  maxRssKb: number | null;
  /** For `failed`. */
  message?: string;
}

/** The host side of the sandbox: helpers it is started through. */
export interface SandboxHost {
  bwrap: string;
  /** `setpriv` when the server is root (the sandbox then runs as `identity` outside too), else undefined. */
  setpriv: string | undefined;
  prlimit: string | undefined;
  /** `unshare`, for steps whose toolchain must be staged (see {@link StagedBind}); root only. */
  unshare: string | undefined;
  identity: SandboxIdentity;
  cgroups: CgroupParents | undefined;
  /** `nice` (coreutils), which starts the sandbox at {@link SANDBOX_NICENESS}; undefined where it is missing. */
  nice?: string;
}

/**
 * The niceness every sandboxed process starts at. The limits bound a run's
 * CPU time, not its share: without this a program with 60 spinning threads
 * (within its process and CPU limits) takes every core for seconds, and two
 * such runs at `RUN_CONCURRENCY` 2 starve the event loop that serves the
 * rooms' sockets. At 10 the scheduler gives the server about ten times the
 * weight of a run when they compete, and a run alone still gets all idle
 * CPU. The program cannot lower it again (`RLIMIT_NICE` is 0, no
 * capabilities).
 */
export const SANDBOX_NICENESS = 10;

/** The limits of one step (see `RunLimits`). */
export interface StepLimits {
  wallMs: number;
  cpuMs: number;
  memoryMb: number;
  processes: number;
  fileSizeBytes: number;
  openFiles: number;
  /** Without a memory cgroup, whether `RLIMIT_AS` may stand in (it breaks runtimes that reserve address space: JVM, V8, Go). */
  addressSpaceFallback: boolean;
}

/** How often a step's cgroup is read for the limits the kernel does not stop by itself (CPU over several processes, fork refusals, OOM kills). */
const WATCH_MS = 100;

/**
 * A toolchain the sandbox user cannot reach (rustup's under `/root`, mode
 * 0700): the server, as root, bind-mounts `from` onto `onto` (an empty
 * placeholder it made, which the sandbox user can reach) in a mount
 * namespace of the step's own, then drops to the sandbox user, whose
 * bubblewrap shows `onto`. The host's mounts never change and `/root`
 * stays closed to the sandbox user.
 */
export interface StagedBind {
  from: string;
  onto: string;
}

const STAGE_THEN_EXEC = 'while [ "$1" != -- ]; do mount --bind "$1" "$2" || exit 125; shift 2; done; shift; exec "$@"';

// The first process joins the step's cgroups, then becomes (exec) the rest of the
// chain: nice (a lower priority than the server's), setpriv (drop to the sandbox user), prlimit (rlimits), bubblewrap.
const JOIN_THEN_EXEC = 'for f in $PAIRPAD_CGROUP_PROCS; do echo $$ > "$f" || exit 125; done; exec "$@"';

/** Names of signals by number, for exit statuses past 128 (bubblewrap reports a child killed by signal n as 128 + n, like a shell). */
const SIGNAL_NAMES = new Map(Object.entries(osConstants.signals).map(([name, number]) => [number, name]));

/** A step in progress; {@link SandboxStep.stop} ends it early for a reason. */
export class SandboxStep {
  private stopReason: { ending: 'timed_out' | 'canceled' | 'limit'; limit?: LimitKind } | undefined;
  private killer: (() => void) | undefined;

  /** Ends the step (first reason wins); every process it started is killed. */
  stop(ending: 'timed_out' | 'canceled' | 'limit', limit?: LimitKind): void {
    if (this.stopReason) return;
    this.stopReason = { ending, limit };
    this.killer?.();
  }

  /** Runs `spec` to its end. Never rejects. */
  async run(host: SandboxHost, spec: SandboxSpec, staged: readonly StagedBind[], limits: StepLimits, stdin: string, capture: OutputCapture): Promise<StepResult> {
    let cgroup: StepCgroup | undefined;
    try {
      if (host.cgroups) cgroup = await StepCgroup.create(host.cgroups, limits);
    } catch (error) {
      return failed(`could not make the run's cgroup: ${(error as Error).message}`);
    }
    try {
      return await this.spawnAndWait(host, spec, staged, limits, stdin, capture, cgroup);
    } finally {
      await cgroup?.remove();
    }
  }

  private async spawnAndWait(
    host: SandboxHost, spec: SandboxSpec, staged: readonly StagedBind[], limits: StepLimits, stdin: string, capture: OutputCapture,
    cgroup: StepCgroup | undefined,
  ): Promise<StepResult> {
    if (this.stopReason) return { ...this.stopReason, exitCode: null, signal: null, wallMs: 0, cpuMs: null, maxRssKb: null };
    const chain: string[] = [];
    if (host.nice) chain.push(host.nice, '-n', String(SANDBOX_NICENESS), '--');
    if (staged.length > 0) {
      if (!host.unshare) return failed('this toolchain needs the server to run as root');
      chain.push(host.unshare, '--mount', '--propagation', 'private', '--', '/bin/sh', '-c', STAGE_THEN_EXEC, 'pairpad-stage');
      for (const bind of staged) chain.push(bind.from, bind.onto);
      chain.push('--');
    }
    if (host.setpriv) chain.push(host.setpriv, `--reuid=${host.identity.uid}`, `--regid=${host.identity.gid}`, '--clear-groups', '--');
    if (host.prlimit) chain.push(host.prlimit, ...rlimitArgs(limits, cgroup !== undefined), '--');
    chain.push(host.bwrap, ...bubblewrapArgs(spec));

    const started = performance.now();
    const child = spawn('/bin/sh', ['-c', JOIN_THEN_EXEC, 'pairpad-sandbox', ...chain], {
      env: { PATH: '/usr/bin:/bin', PAIRPAD_CGROUP_PROCS: cgroup?.procsFiles.join(' ') ?? '' },
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    let status = '';
    let spawnError: Error | undefined;
    child.on('error', (error) => { spawnError = error; });
    child.stdout!.on('data', (bytes: Buffer) => capture.write('stdout', bytes));
    child.stderr!.on('data', (bytes: Buffer) => capture.write('stderr', bytes));
    const statusPipe = child.stdio[3] as NodeJS.ReadableStream;
    statusPipe.on('data', (bytes: Buffer) => { if (status.length < 4096) status += bytes.toString('utf8'); });
    child.stdin!.on('error', () => undefined); // The program need not read its stdin (EPIPE).
    child.stdin!.end(stdin);

    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('exit', (code, signal) => resolve({ code, signal }));
      child.on('error', () => resolve({ code: null, signal: null }));
    });
    const closed = new Promise<void>((resolve) => {
      child.on('close', () => resolve());
      child.on('error', () => resolve());
    });

    this.killer = () => {
      try {
        child.kill('SIGKILL');
      } catch {
        // Already gone.
      }
      void cgroup?.killAll();
    };
    if (this.stopReason) this.killer();
    const wallTimer = setTimeout(() => this.stop('timed_out'), limits.wallMs);
    const watcher = cgroup ? setInterval(() => void this.watch(cgroup, limits), WATCH_MS) : undefined;

    const { code, signal } = await exited;
    const wallMs = Math.round(performance.now() - started);
    clearTimeout(wallTimer);
    if (watcher) clearInterval(watcher);
    // The program is gone; a daemon it left in the cgroup (holding the pipes open) is killed now.
    const emptied = cgroup ? await cgroup.killAll() : true;
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2_000))]);
    child.stdout!.destroy();
    child.stderr!.destroy();
    this.killer = undefined;

    const readings: CgroupReadings = cgroup ? await cgroup.read() : { cpuMs: null, maxRssKb: null, oomKills: 0, forkRefusals: 0 };
    const measured = { wallMs, cpuMs: readings.cpuMs, maxRssKb: readings.maxRssKb };
    if (!emptied) return { ...failed('processes of the run survived being killed'), ...measured };
    if (spawnError) return { ...failed(`could not start the sandbox: ${spawnError.message}`), ...measured };

    // A status past 128 from bubblewrap is the program killed by signal (status - 128).
    const exitStatus = code !== null && code > 128 && SIGNAL_NAMES.has(code - 128) ? null : code;
    const exitSignal = signal ?? (code !== null && exitStatus === null ? SIGNAL_NAMES.get(code - 128)! : null);
    const stopped = this.stopped();
    if (stopped) return { ...stopped, exitCode: null, signal: exitSignal, ...measured };
    if (!/"child-pid"/.test(status)) {
      return { ...failed(`the sandbox could not start (status ${code ?? signal})`), ...measured };
    }
    const limit = limitFromReadings(readings, limits, exitSignal);
    if (limit) return { ending: 'limit', limit, exitCode: exitStatus, signal: exitSignal, ...measured };
    return { ending: 'exited', exitCode: exitStatus, signal: exitSignal, ...measured };
  }

  /** Read through a method: the reason is set from callbacks while `spawnAndWait` awaits. */
  private stopped(): SandboxStep['stopReason'] {
    return this.stopReason;
  }

  private async watch(cgroup: StepCgroup, limits: StepLimits): Promise<void> {
    const readings = await cgroup.read();
    const limit = limitFromReadings(readings, limits, null);
    if (limit) this.stop('limit', limit);
  }
}

function limitFromReadings(readings: CgroupReadings, limits: StepLimits, signal: string | null): LimitKind | undefined {
  if (readings.oomKills > 0) return 'memory';
  if (readings.forkRefusals > 0) return 'processes';
  if (signal === 'SIGXCPU' || (readings.cpuMs !== null && readings.cpuMs > limits.cpuMs)) return 'cpu';
  if (signal === 'SIGXFSZ') return 'file size';
  return undefined;
}

/**
 * Rlimits of every process of the step: file size, open files, no core
 * dumps, CPU seconds per process (SIGXCPU, then SIGKILL a second later;
 * the cgroup watch catches CPU spread over many processes). Without
 * cgroups, processes (per user) and address space stand in for the
 * cgroup's limits.
 */
/** Processes of the sandbox user that are not this run's, allowed for under `RLIMIT_NPROC` (no cgroups). */
const NPROC_HEADROOM = 512;

function rlimitArgs(limits: StepLimits, cgroup: boolean): string[] {
  const cpuSeconds = Math.max(1, Math.ceil(limits.cpuMs / 1000));
  const args = [
    `--fsize=${limits.fileSizeBytes}`, `--nofile=${limits.openFiles}`, '--core=0', `--cpu=${cpuSeconds}:${cpuSeconds + 1}`,
  ];
  if (!cgroup) {
    // RLIMIT_NPROC counts every process and thread of the user, the server's and other runs' included: a looser bound.
    args.push(`--nproc=${limits.processes + NPROC_HEADROOM}`);
    if (limits.addressSpaceFallback) args.push(`--as=${limits.memoryMb * 1024 * 1024}`);
  }
  return args;
}

function failed(message: string): StepResult {
  return { ending: 'failed', exitCode: null, signal: null, wallMs: 0, cpuMs: null, maxRssKb: null, message };
}
