import { randomBytes } from 'node:crypto';
import { access, constants, mkdir, readFile, readdir, realpath, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isAlive } from './process-alive.ts';

/**
 * Per-run cgroups (v1: `memory`, `pids`, `cpuacct`), made under the
 * server's own cgroup of each controller (`<own>/pairpad-runs/run-<server pid>-<random>`), so a
 * run's limits nest inside whatever limits the server itself runs under.
 * The sandbox's first process joins them before it execs bubblewrap (see
 * `sandbox-step.ts`), so nothing it starts is ever outside.
 *
 * Where the `cpu` controller is there, every run also joins the shared
 * `pairpad-runs` group of it, whose weight is {@link RUNS_CPU_SHARES}.
 * `nice` alone does not keep runs behind the server: bubblewrap's
 * `--new-session` starts a new session, and with autogroup scheduling
 * (the default on most kernels) each session is weighed as one, whatever
 * its niceness. The cgroup weight holds across sessions.
 */

const ROOT = '/sys/fs/cgroup';
const GROUP = 'pairpad-runs';

/**
 * The CPU weight of all runs together against the server (whose session
 * weighs 1024): when both want the CPU, runs get about a ninth of it; when
 * the server is idle, they get all of it.
 */
export const RUNS_CPU_SHARES = 128;

/** Where the runs' cgroups live, one parent per controller. */
export interface CgroupParents {
  memory: string;
  pids: string;
  cpuacct: string;
  /** The shared, weighted `cpu` group every run joins; absent without that controller, or when it shares `cpuacct`'s hierarchy (then `cpuacct`'s parent carries the weight). */
  cpu?: string;
}

/** What a step's cgroup measured. */
export interface CgroupReadings {
  cpuMs: number | null;
  maxRssKb: number | null;
  /** Processes the kernel's OOM killer killed for the memory limit. */
  oomKills: number;
  /** Times a fork failed at the process limit. */
  forkRefusals: number;
}

/**
 * Prepares the parents of the runs' cgroups, or undefined when cgroup v1
 * with these controllers is not there or not writable (not root, cgroup v2
 * only): the runner then limits with rlimits alone.
 */
export async function prepareCgroupParents(): Promise<CgroupParents | undefined> {
  let membership: string;
  try {
    membership = await readFile('/proc/self/cgroup', 'utf8');
  } catch {
    return undefined;
  }
  const own = new Map<string, string>();
  for (const line of membership.split('\n')) {
    const [, controllers, where] = line.split(':');
    if (controllers === undefined || where === undefined) continue;
    for (const controller of controllers.split(',')) own.set(controller, where);
  }
  const parents: Partial<CgroupParents> = {};
  for (const controller of ['memory', 'pids', 'cpuacct'] as const) {
    const where = own.get(controller);
    if (where === undefined) return undefined;
    const parent = path.join(ROOT, controller, where, GROUP);
    try {
      await mkdir(parent, { recursive: true, mode: 0o755 });
      await access(path.join(parent, 'cgroup.procs'), constants.W_OK);
    } catch {
      return undefined;
    }
    parents[controller] = parent;
    await removeStaleRunGroups(parent);
  }
  const cpu = await prepareCpuWeight(own.get('cpu'), parents.cpuacct!);
  return { ...(parents as CgroupParents), ...(cpu === undefined ? {} : { cpu }) };
}

/**
 * Sets {@link RUNS_CPU_SHARES} on the runs' `cpu` group. Answers the group to
 * join, or undefined when there is none to join: no `cpu` controller or no
 * right to weigh it (runs then rely on `nice`), or `cpu` mounted together
 * with `cpuacct`, whose per-run groups already sit inside the weighted one.
 */
async function prepareCpuWeight(where: string | undefined, cpuacctParent: string): Promise<string | undefined> {
  if (where === undefined) return undefined;
  const parent = path.join(ROOT, 'cpu', where, GROUP);
  try {
    await mkdir(parent, { recursive: true, mode: 0o755 });
    await writeFile(path.join(parent, 'cpu.shares'), String(RUNS_CPU_SHARES));
    return (await realpath(parent)) === (await realpath(cpuacctParent)) ? undefined : parent;
  } catch {
    return undefined;
  }
}

/**
 * Leftovers of a server that stopped in the middle of runs (named after
 * its pid, which is gone): empty ones go, busy ones stay. Groups of a live
 * server (another instance, another test file) are left alone.
 */
async function removeStaleRunGroups(parent: string): Promise<void> {
  const entries = await readdir(parent, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const owner = /^run-(\d+)-/.exec(entry.name)?.[1];
    if (!entry.isDirectory() || owner === undefined || isAlive(Number(owner))) continue;
    await rmdir(path.join(parent, entry.name)).catch(() => undefined);
  }
}

/** The cgroups of one sandboxed step. */
export class StepCgroup {
  private constructor(
    private readonly dirs: Omit<CgroupParents, 'cpu'>,
    private readonly sharedCpu: string | undefined,
  ) {}

  /** Makes the step's cgroups with their limits. */
  static async create(parents: CgroupParents, limits: { memoryMb: number; processes: number }): Promise<StepCgroup> {
    const name = `run-${process.pid}-${randomBytes(8).toString('hex')}`;
    const dirs = {
      memory: path.join(parents.memory, name),
      pids: path.join(parents.pids, name),
      cpuacct: path.join(parents.cpuacct, name),
    };
    const cgroup = new StepCgroup(dirs, parents.cpu);
    try {
      for (const dir of Object.values(dirs)) await mkdir(dir);
      const bytes = String(limits.memoryMb * 1024 * 1024);
      await writeFile(path.join(dirs.memory, 'memory.limit_in_bytes'), bytes);
      // Without swap accounting this file is absent; with it, swap must not extend the limit.
      await writeFile(path.join(dirs.memory, 'memory.memsw.limit_in_bytes'), bytes).catch(() => undefined);
      await writeFile(path.join(dirs.pids, 'pids.max'), String(limits.processes));
    } catch (error) {
      await cgroup.remove();
      throw error;
    }
    return cgroup;
  }

  /** The `cgroup.procs` files a process writes its pid into to join. */
  get procsFiles(): string[] {
    const groups = Object.values(this.dirs);
    if (this.sharedCpu !== undefined) groups.push(this.sharedCpu);
    return groups.map((dir) => path.join(dir, 'cgroup.procs'));
  }

  async read(): Promise<CgroupReadings> {
    const [usage, maxUsage, oomControl, pidsEvents] = await Promise.all([
      readFile(path.join(this.dirs.cpuacct, 'cpuacct.usage'), 'utf8').catch(() => ''),
      readFile(path.join(this.dirs.memory, 'memory.max_usage_in_bytes'), 'utf8').catch(() => ''),
      readFile(path.join(this.dirs.memory, 'memory.oom_control'), 'utf8').catch(() => ''),
      readFile(path.join(this.dirs.pids, 'pids.events'), 'utf8').catch(() => ''),
    ]);
    return {
      cpuMs: usage.trim() ? Math.round(Number(usage) / 1e6) : null,
      maxRssKb: maxUsage.trim() ? Math.round(Number(maxUsage) / 1024) : null,
      oomKills: Number(/oom_kill (\d+)/.exec(oomControl)?.[1] ?? 0),
      forkRefusals: Number(/max (\d+)/.exec(pidsEvents)?.[1] ?? 0),
    };
  }

  /** Pids still in the step's cgroup. */
  async members(): Promise<number[]> {
    const text = await readFile(path.join(this.dirs.pids, 'cgroup.procs'), 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean).map(Number);
  }

  /**
   * Kills every process left in the cgroup until it is empty (a fork racing
   * the kill lands in the same cgroup and is caught by the next round).
   * Resolves false if something survived `timeoutMs`.
   */
  async killAll(timeoutMs = 5_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pids = await this.members();
      if (pids.length === 0) return true;
      if (Date.now() > deadline) return false;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Removes the (empty) cgroups. */
  async remove(): Promise<void> {
    for (const dir of Object.values(this.dirs)) {
      // A dying process can hold the cgroup a moment after it left cgroup.procs.
      for (let attempt = 0; attempt < 50; attempt++) {
        try {
          await rmdir(dir);
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    }
  }
}
