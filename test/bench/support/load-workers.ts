import { fileURLToPath } from 'node:url';
import type { WorkerAnswer, WorkerEnvelope, WorkerRequest, WorkerResults } from '../load/protocol.ts';
import { readCpuMs } from './process-usage.ts';
import type { ManagedProcess, ProcessRegistry } from './processes.ts';

const workerScript = fileURLToPath(new URL('../load/worker.ts', import.meta.url));

/** The suite's handle on one load-generator process. */
export class LoadWorker {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void; timer: NodeJS.Timeout }>();

  constructor(
    readonly proc: ManagedProcess,
    private readonly registry: ProcessRegistry,
  ) {
    proc.child.on('message', (answer: WorkerAnswer) => {
      const waiting = this.pending.get(answer.id);
      if (!waiting) return;
      this.pending.delete(answer.id);
      clearTimeout(waiting.timer);
      if (answer.ok) waiting.resolve(answer.result);
      else waiting.reject(new Error(`${proc.name}: ${answer.error}`));
    });
    void proc.exited.then((code) => {
      for (const [id, waiting] of this.pending) {
        clearTimeout(waiting.timer);
        waiting.reject(new Error(`${proc.name} exited (${code}) during request ${id}`));
      }
      this.pending.clear();
    });
  }

  /** Sends `request` and waits for its answer, at most `timeoutMs`. */
  request<K extends WorkerRequest['type']>(request: Extract<WorkerRequest, { type: K }>, timeoutMs: number): Promise<WorkerResults[K]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.proc.name}: ${request.type} got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.proc.child.send({ id, request } satisfies WorkerEnvelope);
    });
  }

  /** CPU time the worker process used so far (ms). */
  cpuMs(): number {
    return readCpuMs(this.proc.pid);
  }

  /** Closes its clients and ends the process. */
  async close(): Promise<void> {
    try {
      await this.request({ type: 'closeAll' }, 30_000);
    } catch {
      // ending it anyway
    }
    this.proc.child.disconnect?.();
    await this.registry.stop(this.proc, 'SIGTERM', 5_000);
  }
}

/** Forks `count` load generators. */
export function startLoadWorkers(registry: ProcessRegistry, count: number, label: string): LoadWorker[] {
  return Array.from({ length: count }, (_, index) => new LoadWorker(registry.forkWorker(`load ${label} #${index + 1}`, workerScript), registry));
}

/** Runs `body` with `count` fresh load generators and always ends them. */
export async function withLoadWorkers<T>(registry: ProcessRegistry, count: number, label: string, body: (workers: LoadWorker[]) => Promise<T>): Promise<T> {
  const workers = startLoadWorkers(registry, count, label);
  try {
    return await body(workers);
  } finally {
    await Promise.all(workers.map((worker) => worker.close()));
  }
}
