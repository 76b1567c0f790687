import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { repoRoot } from '../config.ts';

const LOG_TAIL_LINES = 60;

/** A child process the suite started and will end. */
export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  /** The last lines it printed (stdout and stderr), for error messages. */
  tail: string[];
  /** Resolves with the exit code or signal once it ended. */
  exited: Promise<number | string>;
}

/** A server that printed its listening line. */
export interface ListeningProcess extends ManagedProcess {
  port: number;
}

export interface SpawnServerOptions {
  name: string;
  /** Script to run, relative to the repository root. */
  script: string;
  env: Record<string, string | undefined>;
  /** Extra Node flags (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /** Longest wait for the listening line, in ms; default 60 s. */
  timeoutMs?: number;
}

function watchExit(child: ChildProcess): Promise<number | string> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode ?? child.signalCode ?? 'unknown');
    else child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
}

/** The port from a JSON log line that announces listening (Pairpad's or our own servers'). */
function readListeningPort(line: string): number | undefined {
  if (!line.startsWith('{') || !line.includes('listening')) return undefined;
  try {
    const parsed = JSON.parse(line) as { msg?: string; port?: number };
    return typeof parsed.port === 'number' && parsed.msg?.includes('listening') ? parsed.port : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every child process of the suite. Whatever happens (an error, Ctrl-C, a
 * normal end), {@link stopAll} or the exit hook ends each one it started.
 */
export class ProcessRegistry {
  private readonly live = new Set<ManagedProcess>();

  /** `workerProfileDir`: load generators write CPU profiles there. */
  constructor(private readonly workerProfileDir?: string) {
    // Last resort: a synchronous kill of anything still running when this process exits.
    process.on('exit', () => {
      for (const managed of this.live) {
        try {
          managed.child.kill('SIGKILL');
        } catch {
          // already gone
        }
      }
    });
  }

  /** PIDs of the processes still running. */
  get pids(): number[] {
    return [...this.live].map((managed) => managed.pid);
  }

  private track(name: string, child: ChildProcess): ManagedProcess {
    if (child.pid === undefined) throw new Error(`${name}: could not start`);
    const managed: ManagedProcess = { name, child, pid: child.pid, tail: [], exited: watchExit(child) };
    this.live.add(managed);
    void managed.exited.then(() => this.live.delete(managed));
    return managed;
  }

  /**
   * Starts a Node script (through tsx) in its own process with the file
   * limit raised as far as allowed, and waits for its JSON "listening" line.
   */
  async spawnServer(options: SpawnServerOptions): Promise<ListeningProcess> {
    const nodeArgs = [...(options.nodeArgs ?? []), '--import', 'tsx', options.script];
    // `exec` keeps the PID of the shell, so /proc/<pid> is the server itself.
    const shell = 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"';
    const child = spawn('/bin/sh', ['-c', shell, process.execPath, ...nodeArgs], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const managed = this.track(options.name, child);
    const remember = (line: string) => {
      managed.tail.push(line.length > 500 ? `${line.slice(0, 500)}…` : line);
      if (managed.tail.length > LOG_TAIL_LINES) managed.tail.shift();
    };
    createInterface({ input: child.stderr! }).on('line', remember);
    const timeoutMs = options.timeoutMs ?? 60_000;
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${options.name}: no listening line within ${timeoutMs} ms:\n${managed.tail.join('\n')}`)), timeoutMs);
      // Read stdout to the end, always: a full pipe would block the server.
      createInterface({ input: child.stdout! }).on('line', (line) => {
        remember(line);
        const found = readListeningPort(line);
        if (found !== undefined) {
          clearTimeout(timer);
          resolve(found);
        }
      });
      void managed.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${options.name}: exited (${code}) before listening:\n${managed.tail.join('\n')}`));
      });
    }).catch(async (error: unknown) => {
      await this.stop(managed, 'SIGKILL', 5_000);
      throw error;
    });
    return { ...managed, port };
  }

  /** Forks a load-generator process (`load/worker.ts`) with an IPC channel that carries typed arrays. */
  forkWorker(name: string, script: string): ManagedProcess {
    const child = fork(script, [], {
      cwd: repoRoot,
      execArgv: ['--import', 'tsx', ...(this.workerProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${this.workerProfileDir}`] : [])],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return this.track(name, child);
  }

  /** Sends `signal`, and SIGKILL if the process is still there after `timeoutMs`. */
  async stop(managed: ManagedProcess, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<number | string> {
    if (managed.child.exitCode === null && managed.child.signalCode === null) managed.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        managed.child.kill('SIGKILL');
        resolve();
      }, timeoutMs);
    });
    await Promise.race([managed.exited, killed]);
    clearTimeout(timer);
    return managed.exited;
  }

  /** Ends every process still running: SIGTERM, then SIGKILL after `timeoutMs`. */
  async stopAll(timeoutMs = 10_000): Promise<void> {
    await Promise.all([...this.live].map((managed) => this.stop(managed, 'SIGTERM', timeoutMs)));
  }
}
