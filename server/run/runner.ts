import type { Language } from '../../shared/protocol.ts';

/**
 * What runs a room's program: the local sandbox (bubblewrap) or a
 * Piston-compatible engine. The run service (queue, storage, broadcast)
 * talks only to this interface.
 */
export interface Runner {
  readonly kind: 'local' | 'piston';
  /** What this runner can run, detected once (toolchains installed, or the engine's list). */
  runtimes(): Promise<Runtime[]>;
  /**
   * Runs one program to its end. `onOutput` gets the output as it is
   * produced, in order (a remote engine gives it all at the end), already
   * cut at `limits.outputBytes` in all. Aborting `signal` stops the run
   * (status `canceled`). Never rejects: a run that cannot start is
   * `failed` with a message.
   */
  run(job: RunJob, onOutput: (stream: 'stdout' | 'stderr', chunk: string) => void, signal: AbortSignal): Promise<RunOutcome>;
}

export interface Runtime {
  language: Language;
  version: string;
  aliases: string[];
}

/** A room's files, as they are when the run starts. */
export interface RunFile {
  /** A canonical room path (`shared/file-paths.ts`): relative, no `..`. */
  path: string;
  content: string;
}

export interface RunJob {
  runId: string;
  language: Language;
  /** The path of the program among `files` (the room's entry file). */
  entry: string;
  files: RunFile[];
  stdin: string;
  args: string[];
  limits: RunLimits;
}

/** Limits of one run (from the configuration: `RUN_TIMEOUT_MS`, `RUN_MEMORY_MB`, `RUN_OUTPUT_BYTES`, …). */
export interface RunLimits {
  /** Wall time of the program itself (compile time is counted separately). */
  wallMs: number;
  /** Wall time a compile step may take. */
  compileMs: number;
  cpuMs: number;
  memoryMb: number;
  processes: number;
  /** stdout and stderr together; past it the rest is dropped and `truncated` set. */
  outputBytes: number;
  /** Largest file the program may write. */
  fileSizeBytes: number;
}

export type RunEndStatus = 'finished' | 'timed_out' | 'killed' | 'canceled' | 'failed';

export interface RunOutcome {
  /** `killed`: a limit other than time (memory, processes, file size); `failed`: it could not be started. */
  status: RunEndStatus;
  exitCode: number | null;
  signal: string | null;
  truncated: boolean;
  wallMs: number;
  cpuMs: number | null;
  maxRssKb: number | null;
  /** Why, for `failed` and `killed` (which limit), in words for people. */
  message?: string;
}
