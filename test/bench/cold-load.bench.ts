/**
 * `npm run bench:cold-load`: what a first visit to a room page downloads and
 * how long it takes until the editor is connected, with the brotli/gzip
 * copies the build writes (served by `server/http/precompressed.ts`) and
 * without them (the same build with the copies removed: what was served
 * before). Real server, real Chromium, on loopback (the time is mostly
 * parsing) and on an emulated 10 Mbit/s link with 40 ms round trips (where
 * the bytes dominate). Five cold loads each, a fresh context every time.
 * Prints JSON lines and a table.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildClient } from '../e2e/support/app.ts';
import { launchBrowser } from '../e2e/support/browser.ts';
import { measureColdLoad, type ColdLoad, type EmulatedNetwork } from '../e2e/support/cold-load.ts';
import { createRoom, startTestServer } from '../support/server.ts';
import { formatTable, median } from './support/stats.ts';

const RUNS = 5;
const LINKS: [string, EmulatedNetwork | undefined][] = [
  ['loopback', undefined],
  ['10 Mbit/s, 40 ms', { downloadBytesPerSecond: 10_000_000 / 8, latencyMs: 40 }],
];

/** A copy of the build without its `.br` and `.gz` files. */
function copyWithoutCompressedFiles(clientDir: string): string {
  const copy = mkdtempSync(path.join(os.tmpdir(), 'pairpad-client-plain-'));
  cpSync(clientDir, copy, { recursive: true });
  for (const entry of readdirSync(copy, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && /\.(br|gz)$/.test(entry.name)) rmSync(path.join(entry.parentPath, entry.name));
  }
  return copy;
}

const compressedDir = await buildClient();
const plainDir = copyWithoutCompressedFiles(compressedDir);
const browser = await launchBrowser();
const rows: (string | number)[][] = [];
try {
  for (const [variant, clientDir] of [
    ['uncompressed (before)', plainDir],
    ['brotli, precompressed', compressedDir],
  ] as const) {
    const server = await startTestServer({ overrides: { clientDir } });
    try {
      const { roomId } = await createRoom(server.baseUrl, { language: 'python', code: 'print("cold")\n' });
      const loadsByLink = new Map<string, ColdLoad[]>();
      for (const [link, network] of LINKS) {
        const loads: ColdLoad[] = [];
        for (let run = 0; run < RUNS; run++) loads.push(await measureColdLoad(browser, `${server.baseUrl}/r/${roomId}`, 'python', network));
        loadsByLink.set(link, loads);
      }
      const [loopback, slow] = [...loadsByLink.values()];
      const last = loopback[loopback.length - 1];
      const scripts = last.files.filter((file) => file.path.endsWith('.js'));
      const result = {
        variant,
        requests: last.files.length,
        transferredKiB: Math.round(last.transferredBytes / 102.4) / 10,
        decodedKiB: Math.round(last.decodedBytes / 102.4) / 10,
        scriptTransferredKiB: Math.round(scripts.reduce((sum, file) => sum + file.transferredBytes, 0) / 102.4) / 10,
        loopbackMedianMs: Math.round(median(loopback.map((load) => load.ms))),
        slowLinkMedianMs: Math.round(median(slow.map((load) => load.ms))),
        runsMs: Object.fromEntries([...loadsByLink].map(([link, loads]) => [link, loads.map((load) => Math.round(load.ms))])),
      };
      console.log(JSON.stringify(result));
      rows.push([variant, result.requests, result.transferredKiB, result.scriptTransferredKiB, result.decodedKiB, result.loopbackMedianMs, result.slowLinkMedianMs]);
    } finally {
      await server.close();
    }
  }
} finally {
  await browser.close();
  rmSync(compressedDir, { recursive: true, force: true });
  rmSync(plainDir, { recursive: true, force: true });
}
console.log(`median ms from navigation to the editor connected, ${RUNS} cold loads each`);
console.log(formatTable(['variant', 'requests', 'transferred KiB', 'of which JS KiB', 'decoded KiB', ...LINKS.map(([link]) => `ms, ${link}`)], rows));
