import { format } from 'node:util';
import { pino, type Logger } from 'pino';

export type { Logger };

/** The server's JSON logger; modules receive it (or a child of it) as a parameter. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'pairpad' } });
}

/** Room and view ids as Pairpad mints them: 16 random bytes in base64url. */
const MINTED_ID = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{22}(?![A-Za-z0-9_-])/g;

/** `text` with every minted room or view id replaced, so a log line never hands out an edit link. */
export function redactRoomIds(text: string): string {
  return text.replace(MINTED_ID, '[room]');
}

/**
 * Routes `console` to `log` as JSON lines, with room ids redacted.
 * Hocuspocus writes plain-text lines to the console (for instance when a
 * hook refuses a message, naming the document, which is the edit id even
 * when a viewer sent it); this keeps every line of the process pino JSON
 * and free of edit ids. Per process: call it from the entry point. Returns
 * a function that puts `console` back. Lines matching one of `expected`
 * (a hook's deliberate refusal, which Hocuspocus prints as an error) are
 * logged at debug.
 */
export function routeConsoleToLog(log: Logger, expected: readonly RegExp[] = []): () => void {
  const source = log.child({ source: 'console' });
  const original = { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug };
  const write = (levelAsked: 'debug' | 'info' | 'warn' | 'error') => (...args: unknown[]) => {
    let level = levelAsked;
    const error = args.find((arg): arg is Error => arg instanceof Error);
    const message = redactRoomIds(format(...args.filter((arg) => !(arg instanceof Error))));
    if (level !== 'debug' && expected.some((pattern) => pattern.test(message))) level = 'debug';
    if (error) source[level]({ err: { type: error.name, message: redactRoomIds(error.message), stack: redactRoomIds(error.stack ?? '') } }, message);
    else source[level](message);
  };
  console.log = write('info');
  console.info = write('info');
  console.debug = write('debug');
  console.warn = write('warn');
  console.error = write('error');
  return () => Object.assign(console, original);
}
