import { mkdirSync, writeFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, startTestApp, type TestApp } from './support/app.ts';
import { launchBrowser } from './support/browser.ts';
import { measureColdLoad } from './support/cold-load.ts';

// What a first visit downloads: compressed copies written at build time,
// hashed assets cached for good, index.html revalidated. The figures with
// and without compression are in `npm run bench:cold-load`.
let app: TestApp;
let browser: Browser;

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  mkdirSync('test-results', { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('cold load of the editor page', () => {
  it('sends every script and stylesheet brotli-compressed, cached for good, and the page revalidated', async () => {
    const { roomId } = await createRoom(app.baseUrl, { language: 'python', code: 'print("cold")\n' });
    const load = await measureColdLoad(browser, `${app.baseUrl}/r/${roomId}`, 'python');
    writeFileSync('test-results/cold-load.json', `${JSON.stringify(load, null, 2)}\n`);
    console.log(`cold load: ${load.files.length} requests, ${(load.transferredBytes / 1024).toFixed(1)} KiB transferred (${(load.decodedBytes / 1024).toFixed(1)} KiB decoded), ${Math.round(load.ms)} ms to the editor connected on loopback`);

    const assets = load.files.filter((file) => file.path.startsWith('/assets/'));
    expect(assets.length).toBeGreaterThan(3);
    for (const asset of assets) {
      expect(asset.status, asset.path).toBe(200);
      expect(asset.cacheControl, asset.path).toContain('immutable');
      expect(asset.vary.toLowerCase(), asset.path).toContain('accept-encoding');
      // Tiny files (a re-export of a few bytes) are not worth a compressed copy.
      if (asset.decodedBytes >= 1024) {
        expect(asset.encoding, asset.path).toBe('br');
        expect(asset.transferredBytes, asset.path).toBeLessThan(asset.decodedBytes / 2);
      }
    }
    const page = load.files.find((file) => file.path === `/r/${roomId}`);
    expect(page?.cacheControl).toBe('no-cache');
    // Everything on the wire is well under half of what it decodes to.
    expect(load.transferredBytes).toBeLessThan(load.decodedBytes / 2.5);
  });

  it('answers a client that takes only gzip with gzip, and one that takes nothing with the plain file', async () => {
    const html = await (await fetch(`${app.baseUrl}/`)).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const plain = await fetch(`${app.baseUrl}${script}`, { headers: { 'accept-encoding': 'identity' } });
    const plainBytes = (await plain.arrayBuffer()).byteLength;
    expect(plain.headers.get('content-encoding')).toBeNull();

    // fetch decodes what it is sent: compare the bodies, and the declared encoding.
    for (const [accepted, expected] of [
      ['gzip', 'gzip'],
      ['gzip, br', 'br'],
      ['br;q=0, gzip', 'gzip'],
    ] as const) {
      const response = await fetch(`${app.baseUrl}${script}`, { headers: { 'accept-encoding': accepted } });
      expect(response.headers.get('content-encoding'), accepted).toBe(expected);
      expect(response.headers.get('content-type')).toMatch(/javascript/);
      expect((await response.arrayBuffer()).byteLength).toBe(plainBytes);
    }
  });

  it('keeps API errors and unknown assets as they were', async () => {
    const missing = await fetch(`${app.baseUrl}/assets/nothing-here.js`, { headers: { 'accept-encoding': 'br' } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-encoding')).toBeNull();
    const traversal = await fetch(`${app.baseUrl}/assets/..%2f..%2fpackage.json`, { headers: { 'accept-encoding': 'br' } });
    expect(traversal.status).toBe(404);
  });
});
