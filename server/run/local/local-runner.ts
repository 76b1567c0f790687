import type { Runner } from '../runner.ts';

/** Where and how the local sandbox runs programs (from the configuration). */
export interface LocalRunnerOptions {
  /** Parent of the runs' private working directories (never inside the data directory). */
  workRoot?: string;
}

/**
 * The local runner: each program in a fresh bubblewrap sandbox. Undefined
 * when `bwrap` is not installed.
 * (Placeholder until the sandbox lands: the run service is built against this signature.)
 */
export async function createLocalRunner(_options: LocalRunnerOptions = {}): Promise<Runner | undefined> {
  return undefined;
}
