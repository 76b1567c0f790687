import { ConfigError, loadConfig } from './config.ts';
import { warmUpYjs } from './collab/yjs-warm-up.ts';
import { PersistenceExtension } from './collab/persistence.extension.ts';
import { createLogger, routeConsoleToLog } from './log.ts';
import { startPairpad } from './server.ts';

// Composition root: the only module that touches process.env, signals and exit codes.
let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}
const log = createLogger(config.logLevel);
// Hocuspocus writes plain text to the console; every line of the process is JSON.
routeConsoleToLog(log, PersistenceExtension.unloadRefusals);

// Per process, so here and not in startPairpad (which tests start many times in one process).
if (config.warmUpYjs) {
  const started = performance.now();
  warmUpYjs();
  log.info({ ms: Math.round(performance.now() - started) }, 'yjs warmed up');
}

let pairpad;
try {
  pairpad = await startPairpad({ config, log });
} catch (error) {
  log.fatal({ err: error }, `pairpad could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  try {
    await pairpad.close();
    process.exit(0);
  } catch (error) {
    log.fatal({ err: error }, error instanceof Error ? error.message : 'shutdown failed');
    process.exit(1);
  }
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
