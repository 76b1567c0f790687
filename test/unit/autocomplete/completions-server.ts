import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake model server received. */
export interface ReceivedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  /** Resolves when the client went away before an answer was sent (an aborted fetch). */
  aborted: Promise<void>;
  /** Answers the request with an OpenAI-style completion of `text`. */
  answer(text: string): void;
}

/** A real HTTP server on loopback that speaks the completions API, driven by the test. */
export interface CompletionsServer {
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/**
 * Starts a completions server on 127.0.0.1, port 0. `respond` decides per
 * request: answer with `request.answer(...)`, write an error, or do nothing
 * (a slow model) and let the test answer later.
 */
export async function startCompletionsServer(
  respond: (request: ReceivedRequest, response: ServerResponse) => void,
): Promise<CompletionsServer> {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const aborted = new Promise<void>((resolve) => res.on('close', () => {
        if (!res.writableFinished) resolve();
      }));
      const request: ReceivedRequest = {
        path: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
        aborted,
        answer(text) {
          if (res.writableEnded || res.destroyed) return;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id: 'cmpl-1', object: 'text_completion', choices: [{ index: 0, text, finish_reason: 'stop' }] }));
        },
      };
      received.push(request);
      respond(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve, reject) => {
      if (!server.listening) return resolve();
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    }),
  };
}
