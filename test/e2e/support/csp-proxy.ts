import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';

/** A front for the test server that serves its pages with a Content-Security-Policy. */
export interface CspProxy {
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * Starts an HTTP proxy in front of `target` that sets `policy(nonce)` as
 * the Content-Security-Policy of every HTML page, replacing the one the
 * server sent, with a fresh nonce per page also put in
 * `<meta name="csp-nonce">` (the way the client learns it, see
 * `readCspNonce` in `client/room/room.page.ts`). Everything else, WebSocket
 * upgrades included, passes through untouched. The server's own policy
 * (helmet, `server/http/app.ts`) allows inline styles; this proxy checks
 * that the client also runs under a stricter, nonce-only `style-src`, for
 * deployments whose reverse proxy sends one. The server's own headers are
 * tested without it (`pages.test.ts`).
 */
export async function startCspProxy(target: string, policy: (nonce: string) => string): Promise<CspProxy> {
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    // The Host header passes unchanged, as from a reverse proxy that keeps it:
    // the server compares it with the page's Origin.
    const headers = { ...req.headers };
    delete headers['accept-encoding'];
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (answer) => {
      const isHtml = (answer.headers['content-type'] ?? '').includes('text/html');
      if (!isHtml) {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const nonce = randomBytes(16).toString('base64');
        const html = Buffer.concat(chunks).toString('utf8').replace('<head>', `<head><meta name="csp-nonce" content="${nonce}">`);
        const { 'content-length': _length, etag: _etag, ...rest } = answer.headers;
        res.writeHead(answer.statusCode ?? 502, { ...rest, 'content-security-policy': policy(nonce) });
        res.end(html);
      });
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  const tunnels = new Set<Duplex>();
  server.on('upgrade', (req, socket, head) => {
    const backend = net.connect(Number(upstream.port), upstream.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      backend.write(`${lines.join('\r\n')}\r\n\r\n`);
      backend.write(head);
      socket.pipe(backend).pipe(socket);
    });
    const destroy = () => {
      socket.destroy();
      backend.destroy();
    };
    backend.on('error', destroy);
    socket.on('error', destroy);
    tunnels.add(socket);
    socket.on('close', () => {
      tunnels.delete(socket);
      backend.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // Upgraded sockets are no longer the HTTP server's; end them here.
        for (const socket of tunnels) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
