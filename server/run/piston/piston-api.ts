import { z } from 'zod';

/**
 * The part of Piston's API (https://github.com/engineer-man/piston, v2) the
 * runner uses: `GET /api/v2/runtimes` and `POST /api/v2/execute`. Fields
 * newer engines add (`status`, `cpu_time`, `wall_time`, `memory`) are read
 * when present.
 */

export const pistonRuntime = z.object({
  language: z.string(),
  version: z.string(),
  aliases: z.array(z.string()).default([]),
  runtime: z.string().optional(),
});
export type PistonRuntime = z.infer<typeof pistonRuntime>;

/** One stage (`compile` or `run`) of an execution. */
export const pistonStage = z.object({
  stdout: z.string().default(''),
  stderr: z.string().default(''),
  output: z.string().default(''),
  code: z.int().nullable().default(null),
  signal: z.string().nullable().default(null),
  /** Newer engines: `RE` runtime error, `SG` signal, `TO` timeout, `OL`/`EL` output limit, `XX` internal error. */
  status: z.string().nullable().optional(),
  message: z.string().nullable().optional(),
  cpu_time: z.number().nullable().optional(),
  wall_time: z.number().nullable().optional(),
  /** Bytes. */
  memory: z.number().nullable().optional(),
});
export type PistonStage = z.infer<typeof pistonStage>;

export const pistonExecuteResponse = z.object({
  language: z.string().optional(),
  version: z.string().optional(),
  compile: pistonStage.optional(),
  run: pistonStage,
});
export type PistonExecuteResponse = z.infer<typeof pistonExecuteResponse>;

/** Body of `POST /api/v2/execute`; the first file is the one run. */
export interface PistonExecuteRequest {
  language: string;
  version: string;
  files: { name: string; content: string }[];
  stdin: string;
  args: string[];
  /** ms */
  compile_timeout: number;
  run_timeout: number;
  /** bytes; -1 for the engine's default */
  compile_memory_limit: number;
  run_memory_limit: number;
}
