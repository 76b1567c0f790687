// Run by `npm start` before the server: builds the web client (Vite, into
// dist/client) and the server (tsc, into dist/server) when a build is
// missing or older than any of its sources, so `npm install && npm start`
// works on a fresh checkout and never serves yesterday's code. Prints one
// line per part. Plain JavaScript: it runs before anything is compiled.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (...parts) => path.join(root, ...parts);

/**
 * Each part: a file its build writes (its mtime is the build's age), the
 * sources it is built from, and how to build it.
 */
const PARTS = [
  {
    name: 'client',
    output: at('dist/client/index.html'),
    sources: ['client', 'shared', 'package-lock.json'],
    build: () => buildClient(),
  },
  {
    name: 'server',
    output: at('dist/server/main.js'),
    sources: ['server', 'shared', 'migrations', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'],
    build: () => run(process.execPath, [at('node_modules/typescript/bin/tsc'), '-p', at('tsconfig.build.json')]),
  },
];

/** Newest modification time (ms) under `relative` (a file or a folder). */
function newestMtime(relative) {
  const full = at(relative);
  if (!existsSync(full)) return 0;
  const stat = statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(full, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`${path.basename(args[0] ?? command)} exited with ${result.status ?? result.signal}`);
}

async function buildClient() {
  const { build } = await import('vite');
  await build({ configFile: at('client/vite.config.ts'), logLevel: 'warn' });
}

/** Whether the build tools (dev dependencies) are installed. */
function canBuild() {
  return existsSync(at('node_modules/vite/package.json')) && existsSync(at('node_modules/typescript/bin/tsc'));
}

for (const part of PARTS) {
  const builtAt = existsSync(part.output) ? statSync(part.output).mtimeMs : undefined;
  const sourcesAt = Math.max(...part.sources.map(newestMtime));
  if (builtAt !== undefined && builtAt >= sourcesAt) {
    console.log(`${part.name}: dist is up to date`);
    continue;
  }
  const why = builtAt === undefined ? 'missing' : 'older than its sources';
  if (!canBuild()) {
    if (builtAt !== undefined) {
      console.warn(`${part.name}: dist is ${why}, but the build tools are not installed (npm install without --omit=dev); starting the existing build`);
      continue;
    }
    console.error(`${part.name}: dist is missing and the build tools are not installed; run \`npm install\` then \`npm run build\``);
    process.exit(1);
  }
  const started = Date.now();
  try {
    await part.build();
  } catch (error) {
    console.error(`${part.name}: build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  console.log(`${part.name}: dist was ${why}; built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
