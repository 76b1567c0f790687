import { pino, type Logger } from 'pino';

export type { Logger };

/** The server's JSON logger; modules receive it (or a child of it) as a parameter. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'pairpad' } });
}
