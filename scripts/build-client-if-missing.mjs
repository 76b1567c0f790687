// Run by `npm start` before the server: builds the web client into
// dist/client when it is missing, so `npm install && npm start` works on a
// fresh checkout. Prints exactly one line.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const indexHtml = fileURLToPath(new URL('../dist/client/index.html', import.meta.url));
const configFile = fileURLToPath(new URL('../client/vite.config.ts', import.meta.url));

if (existsSync(indexHtml)) {
  console.log('client: using the existing build in dist/client (npm run build:client rebuilds it)');
} else {
  let build;
  try {
    ({ build } = await import('vite'));
  } catch {
    console.error('client: dist/client is missing and vite is not installed; run `npm install` then `npm run build:client`');
    process.exit(1);
  }
  const started = Date.now();
  try {
    await build({ configFile, logLevel: 'silent' });
  } catch (error) {
    console.error(`client: build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  console.log(`client: built dist/client in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
