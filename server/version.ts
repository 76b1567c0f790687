import { createRequire } from 'node:module';

/** The package version, as `package.json` states it. */
export const version: string = createRequire(import.meta.url)('../package.json').version;
