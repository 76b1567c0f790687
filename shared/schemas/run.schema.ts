import { z } from 'zod';
import { language } from './room.schema.ts';

/** Largest stdin a run may be given, in bytes of UTF-8 (64 KiB). */
export const MAX_RUN_STDIN_BYTES = 64 * 1024;
/** Most command-line arguments a run may be given. */
export const MAX_RUN_ARGS = 16;
/** Longest single argument, in characters. */
export const MAX_RUN_ARG_LENGTH = 4096;
/** Longest `name` a caller may give as who started a run. */
export const MAX_RUN_NAME_LENGTH = 64;
/** How many runs `GET /api/rooms/:roomId/runs` lists (the latest, newest first). */
export const RUN_LIST_LIMIT = 20;

/** The states of a run: `queued` and `running` while it lives, then one of the end states. */
export const RUN_STATUSES = ['queued', 'running', 'finished', 'timed_out', 'killed', 'canceled', 'failed'] as const;
export const runStatus = z.enum(RUN_STATUSES).meta({
  id: 'RunStatus',
  description: '`killed`: a limit other than time (memory, processes, file size); `failed`: it could not be started (see `message`)',
});
export type RunStatus = z.infer<typeof runStatus>;

/** True for a status a run never leaves. */
export function isRunOver(status: RunStatus): boolean {
  return status !== 'queued' && status !== 'running';
}

/** Body of `POST /api/rooms/:roomId/runs`; every field is optional. */
export const startRunRequest = z
  .strictObject({
    /** Given to the program on standard input; default empty. */
    stdin: z
      .string()
      .default('')
      .refine((value) => new TextEncoder().encode(value).length <= MAX_RUN_STDIN_BYTES, `must be at most ${MAX_RUN_STDIN_BYTES} bytes`),
    /** Command-line arguments; default none. */
    args: z.array(z.string().max(MAX_RUN_ARG_LENGTH).refine((arg) => !arg.includes('\0'), 'must not contain NUL')).max(MAX_RUN_ARGS).default([]),
    /** Who starts it, as shown to the room (the web client sends its user name); default `someone`. */
    name: z.string().trim().max(MAX_RUN_NAME_LENGTH).optional(),
  })
  .meta({ id: 'StartRunRequest' });
export type StartRunRequest = z.infer<typeof startRunRequest>;

/** Answer of `POST /api/rooms/:roomId/runs` (202). */
export const startRunResponse = z.object({ runId: z.string(), status: runStatus }).meta({ id: 'StartRunResponse' });
export type StartRunResponse = z.infer<typeof startRunResponse>;

/** A run as the REST API returns it. */
export const run = z
  .object({
    /** Random, url-safe. */
    runId: z.string(),
    /** The entry file's language, as it was run. */
    language,
    status: runStatus,
    /** The program's exit code; null while it runs or when it ended by a signal or never started. */
    exitCode: z.int().nullable(),
    /** The signal that ended it (e.g. `SIGKILL`), or null. */
    signal: z.string().nullable(),
    stdout: z.string(),
    stderr: z.string(),
    /** stdout and stderr interleaved in the order they were produced. */
    output: z.string(),
    /** True when output past `RUN_OUTPUT_BYTES` was dropped. */
    truncated: z.boolean(),
    /** The name given when it was started (`name`), or `someone`. */
    startedBy: z.string(),
    /** Why, for `failed`, `killed` and `canceled` (in words for people); null otherwise. */
    message: z.string().nullable(),
    /** ISO-8601 times; `startedAt` and `finishedAt` are null until then. */
    queuedAt: z.iso.datetime(),
    startedAt: z.iso.datetime().nullable(),
    finishedAt: z.iso.datetime().nullable(),
    /** Wall time of the program, in ms (compile excluded); null until it ends. */
    wallMs: z.int().nullable(),
    /** CPU time, in ms, where the runner measures it. */
    cpuMs: z.int().nullable(),
    /** Peak memory, in KiB, where the runner measures it. */
    maxRssKb: z.int().nullable(),
  })
  .meta({ id: 'Run' });
export type Run = z.infer<typeof run>;

/** Answer of `GET /api/rooms/:roomId/runs`. */
export const runList = z.object({ runs: z.array(run) }).meta({ id: 'RunList' });
export type RunList = z.infer<typeof runList>;

/** Answer of `GET /api/runtimes`. */
export const runtimes = z
  .object({
    /** Which runner this server uses; `off` runs nothing. */
    runner: z.enum(['local', 'piston', 'off']),
    runtimes: z.array(z.object({ language, version: z.string(), aliases: z.array(z.string()) })),
  })
  .meta({ id: 'Runtimes' });
export type Runtimes = z.infer<typeof runtimes>;

/** Path parameters of the run routes. */
export const runParams = z.object({ roomId: z.string(), runId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/) });
