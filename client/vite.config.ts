import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { precompress } from './build/precompress.plugin.ts';

// The client is built from `client/` into `dist/client/`, which the server
// serves statically (and answers `/`, `/r/*` and `/v/*` with its index.html).
// `npm run dev` style work: run the server on 8000 and `vite --config
// client/vite.config.ts`; the dev server proxies the API and the socket.
const clientDir = fileURLToPath(new URL('.', import.meta.url));
const devServer = process.env.PAIRPAD_DEV_SERVER ?? 'http://localhost:8000';

/** `…/@codemirror/lang-python/…` → `lang-python`, `…/@lezer/python/…` → `lezer-python`. */
function languageChunkName(moduleId: string): string | null {
  const match = /node_modules[\\/]@(codemirror|lezer)[\\/]([^\\/]+)/.exec(moduleId);
  if (!match) return null;
  if (match[2] === 'legacy-modes') return `mode-${/mode[\\/]([^\\/.]+)/.exec(moduleId)?.[1] ?? 'legacy'}`;
  return match[1] === 'lezer' ? `lezer-${match[2]}` : match[2];
}

export default defineConfig({
  root: clientDir,
  base: '/',
  publicDir: 'public',
  // Brotli and gzip copies of every text file, served by server/http/precompressed.ts.
  plugins: [precompress()],
  build: {
    outDir: '../dist/client',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // The editor bundle is measured against a 350 KB (gzip) budget in the
    // client issue; language support is split into lazy chunks.
    chunkSizeWarningLimit: 800,
    rolldownOptions: {
      output: {
        chunkFileNames: (chunk) => {
          // The code the lobby and the editor share is named after Vite's preload helper in it.
          if (chunk.name === 'preload-helper') return 'assets/shared-[hash].js';
          // Language chunks come out as "dist" (the folder of each package's entry).
          if (chunk.name !== 'dist') return 'assets/[name]-[hash].js';
          const ids = chunk.facadeModuleId ? [chunk.facadeModuleId] : chunk.moduleIds;
          const name = ids.map(languageChunkName).find((n) => n !== null) ?? chunk.name;
          return `assets/${name}-[hash].js`;
        },
        // Named vendor chunks, so the size report says what is what. The
        // grammars stay out of them: each language is a lazy chunk, named
        // after its package.
        codeSplitting: {
          groups: [
            { name: 'codemirror', test: /node_modules[\\/](@codemirror[\\/](state|view|language|commands|autocomplete|search)|@lezer[\\/](common|highlight)|style-mod|w3c-keyname|crelt)[\\/]/ },
            { name: 'collab', test: /node_modules[\\/](yjs|lib0|y-protocols|y-codemirror\.next|@hocuspocus[\\/]provider)[\\/]/ },
            // With the module that configures Zod, so it runs before any schema is built.
            { name: 'zod', test: /node_modules[\\/]zod[\\/]|client[\\/]zod-config\.ts$/ },
          ],
        },
      },
    },
  },
  server: {
    fs: { allow: ['..'] },
    proxy: {
      '/api': devServer,
      '/collab': { target: devServer.replace(/^http/, 'ws'), ws: true },
    },
  },
});
