import { expect, vi } from 'vitest';
import { createLocalRunner } from '../../server/run/local/local-runner.ts';
import type { Run } from '../../shared/schemas/run.schema.ts';
import { startFakePiston, type FakePiston } from './fake-piston.ts';

/**
 * The runners the run-service tests run against: `piston` (against the fake
 * engine in `fake-piston.ts`) always, `local` (the sandbox) where it is
 * available. Each gives the environment a server needs to use it.
 */
export const RUNNER_KINDS = ['piston', 'local'] as const;
export type RunnerKind = (typeof RUNNER_KINDS)[number];

export const localRunnerAvailable = (await createLocalRunner()) !== undefined;

/** True when this machine can run tests of `kind`. */
export function runnerAvailable(kind: RunnerKind): boolean {
  return kind === 'piston' || localRunnerAvailable;
}

/** Sets up a runner of `kind` for a server: its env, the fake engine (piston), and how to stop it. */
export async function setUpRunner(kind: RunnerKind): Promise<{ env: Record<string, string>; piston?: FakePiston; close(): Promise<void> }> {
  if (kind === 'local') return { env: { RUNNER: 'local' }, close: async () => {} };
  const piston = await startFakePiston();
  return { env: { RUNNER: 'piston', RUNNER_URL: piston.url }, piston, close: () => piston.close() };
}

/** `POST /api/rooms/:id/runs` with `body`; the raw response. */
export function postRun(baseUrl: string, id: string, body: object = {}, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${baseUrl}/api/rooms/${id}/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** Starts a run and returns its id (fails the test unless the answer is 202). */
export async function startRun(baseUrl: string, id: string, body: object = {}): Promise<string> {
  const response = await postRun(baseUrl, id, body);
  const answer = (await response.json()) as any;
  expect(response.status, JSON.stringify(answer)).toBe(202);
  expect(answer).toEqual({ runId: expect.any(String), status: 'queued' });
  return answer.runId;
}

export async function getRun(baseUrl: string, id: string, runId: string): Promise<Run> {
  const response = await fetch(`${baseUrl}/api/rooms/${id}/runs/${runId}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Run;
}

/** Waits (generously) until a run is over, and returns it. */
export async function waitForRunOver(baseUrl: string, id: string, runId: string, timeout = 30_000): Promise<Run> {
  return vi.waitFor(
    async () => {
      const run = await getRun(baseUrl, id, runId);
      if (run.status === 'queued' || run.status === 'running') throw new Error(`run still ${run.status}`);
      return run;
    },
    { timeout, interval: 50 },
  );
}

/** Waits until a run is running. */
export async function waitForRunning(baseUrl: string, id: string, runId: string): Promise<Run> {
  return vi.waitFor(
    async () => {
      const run = await getRun(baseUrl, id, runId);
      if (run.status !== 'running') throw new Error(`run ${run.status}`);
      return run;
    },
    { timeout: 30_000, interval: 50 },
  );
}

/** Programs the tests run, by what they do. */
export const PROGRAMS = {
  hello: { language: 'python', code: 'print("hello")\n' },
  /** Runs until stopped (prints once first, so it is surely running). */
  forever: { language: 'python', code: 'import time\nprint("started", flush=True)\nwhile True:\n    time.sleep(0.05)\n' },
  /** Echoes stdin and args. */
  echo: { language: 'python', code: 'import sys\nprint(sys.stdin.read().upper(), sys.argv[1:])\nprint("oops", file=sys.stderr)\nsys.exit(3)\n' },
  /** Prints many lines fast. */
  lines: { language: 'python', code: 'for i in range(10000):\n    print("line", i)\n' },
  sleepThenPrint: (ms: number, text: string) => ({ language: 'python', code: `import time\ntime.sleep(${ms / 1000})\nprint(${JSON.stringify(text)})\n` }),
};
