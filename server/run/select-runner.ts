import type { RunConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { createLocalRunner, type LocalRunnerOptions } from './local/local-runner.ts';
import { createPistonRunner } from './piston/piston-runner.ts';
import type { Runner } from './runner.ts';

/**
 * The runner `RUNNER` asks for: `piston` at `RUNNER_URL`, `local` (the
 * sandbox; an error when it is not available, since it was asked for),
 * `off`; unset, the sandbox when it is available, else none.
 */
export async function selectRunner(config: RunConfig, log: Logger, options: Omit<LocalRunnerOptions, 'log'> = {}): Promise<Runner | undefined> {
  const local = { ...options, log };
  switch (config.runner) {
    case 'off':
      return undefined;
    case 'piston':
      return createPistonRunner({ baseUrl: config.url! });
    case 'local': {
      const runner = await createLocalRunner(local);
      if (!runner) throw new Error('RUNNER=local, but the sandbox is not available here (install bubblewrap: `bwrap`)');
      return runner;
    }
    case undefined: {
      const runner = await createLocalRunner(local);
      if (!runner) log.info('running code is off: no sandbox here (install bubblewrap) and no RUNNER set');
      return runner;
    }
    default: {
      const unknown: never = config.runner;
      throw new Error(`unknown RUNNER ${String(unknown)}`);
    }
  }
}
