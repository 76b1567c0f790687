import type { Browser } from 'playwright-core';

/** One response of a cold load, as the network saw it. */
export interface LoadedFile {
  path: string;
  status: number;
  /** `Content-Encoding` (`br`, `gzip`) or `identity`. */
  encoding: string;
  cacheControl: string;
  vary: string;
  /** Body bytes on the wire (compressed when encoded). */
  transferredBytes: number;
  /** Body bytes once decoded. */
  decodedBytes: number;
}

/** What a first visit to a page costs. */
export interface ColdLoad {
  files: LoadedFile[];
  /** Body and header bytes on the wire, every request. */
  transferredBytes: number;
  /** Body bytes once decoded, every request. */
  decodedBytes: number;
  /** From navigation to the editor connected and the room's language loaded. */
  ms: number;
}

/** A slower link than loopback, emulated by Chromium (DevTools protocol). */
export interface EmulatedNetwork {
  /** Download throughput, bytes per second. */
  downloadBytesPerSecond: number;
  /** Added round-trip time, milliseconds. */
  latencyMs: number;
}

/**
 * Opens `url` (a room page) in a fresh browser context, an empty cache, as
 * someone whose name is already stored (no dialog), and waits until the
 * editor is connected with `language` loaded. Every request is counted.
 */
export async function measureColdLoad(browser: Browser, url: string, language: string, network?: EmulatedNetwork): Promise<ColdLoad> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  try {
    // A string: the Node test project has no DOM types.
    await context.addInitScript("localStorage.setItem('pairpad.name', 'Measurer')");
    const page = await context.newPage();
    if (network) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: network.latencyMs,
        downloadThroughput: network.downloadBytesPerSecond,
        uploadThroughput: network.downloadBytesPerSecond,
      });
    }
    const pending: Promise<LoadedFile & { headerBytes: number }>[] = [];
    page.on('requestfinished', (request) => {
      pending.push(
        (async () => {
          const response = await request.response();
          const sizes = await request.sizes();
          const headers = response ? await response.allHeaders() : {};
          const body = response ? await response.body().catch(() => Buffer.alloc(0)) : Buffer.alloc(0);
          return {
            path: new URL(request.url()).pathname,
            status: response?.status() ?? 0,
            encoding: headers['content-encoding'] ?? 'identity',
            cacheControl: headers['cache-control'] ?? '',
            vary: headers['vary'] ?? '',
            transferredBytes: sizes.responseBodySize,
            decodedBytes: body.length,
            headerBytes: sizes.responseHeadersSize,
          };
        })(),
      );
    });
    const started = performance.now();
    await page.goto(url);
    await page.locator('.connection-status[data-state="connected"]').waitFor({ timeout: 60_000 });
    await page.locator(`.cm-content[data-language="${language}"]`).waitFor({ timeout: 60_000 });
    const ms = performance.now() - started;
    const files = await Promise.all(pending);
    return {
      files: files.map(({ headerBytes: _headerBytes, ...file }) => file),
      transferredBytes: files.reduce((sum, file) => sum + file.transferredBytes + file.headerBytes, 0),
      decodedBytes: files.reduce((sum, file) => sum + file.decodedBytes, 0),
      ms,
    };
  } finally {
    await context.close();
  }
}
