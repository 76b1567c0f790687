import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import proxyAddr from 'proxy-addr';
import { WebSocket, WebSocketServer } from 'ws';
import { CloseCode, CloseReason, COLLAB_PATH } from '../../shared/protocol.ts';
import type { Logger } from '../log.ts';
import type { Metrics, Protocol, TrafficCount } from '../metrics.ts';
import { isAllowedOrigin } from '../origins.ts';

/** Handles an upgraded socket on a path other than `/collab` (e.g. the y-websocket bridge). */
export type SocketRoute = (socket: WebSocket, request: IncomingMessage, pathname: string) => void;

/** The WebSocket side of the HTTP server. */
export interface WebSocketGateway {
  /** Open sockets by protocol. */
  socketCount(protocol?: Protocol): number;
  /** Adds a handler for upgrades whose path starts with `prefix/`. */
  route(prefix: string, protocol: Protocol, handler: SocketRoute): void;
  /** Refuses new upgrades, closes open sockets with 1012 and waits (up to `timeoutMs`) for them to go. */
  close(timeoutMs: number): Promise<void>;
}

/** The Fetch `Request` Hocuspocus expects, built from Node's upgrade request. */
export function toFetchRequest(request: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (Array.isArray(value)) value.forEach((item) => headers.append(name, item));
    else if (value !== undefined) headers.set(name, value);
  }
  return new Request(`http://${request.headers.host ?? 'localhost'}${request.url ?? '/'}`, { headers });
}

/** Express's reading of `trust proxy`, for upgrade requests that never pass through Express. */
function compileTrust(value: boolean | number | string[]): (address: string, hop: number) => boolean {
  if (typeof value === 'boolean') return () => value;
  if (typeof value === 'number') return (_address, hop) => hop < value;
  return proxyAddr.compile(value);
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * Counts what a socket sends, and drops a client that stops reading: once
 * more than `maxBufferedBytes` wait in its send buffer, the socket is
 * terminated rather than letting the buffer grow without bound.
 */
function watchOutgoing(socket: WebSocket, counters: TrafficCount, maxBufferedBytes: number, log: Logger): void {
  const send = socket.send.bind(socket);
  socket.send = ((data: Uint8Array, ...rest: never[]) => {
    counters.messages++;
    counters.bytes += data.byteLength;
    send(data, ...rest);
    if (socket.bufferedAmount > maxBufferedBytes) {
      log.warn({ bufferedBytes: socket.bufferedAmount }, 'dropping a client that does not read its socket');
      socket.terminate();
    }
  }) as WebSocket['send'];
}

/**
 * Answers WebSocket upgrades on the HTTP server: `/collab` goes to
 * `collab`, registered prefixes to their handlers, anything else gets 404.
 * Messages over `maxMessageBytes` close the socket with 1009 (done by `ws`).
 */
export function attachWebSockets({
  httpServer,
  collab,
  log,
  metrics,
  maxMessageBytes,
  maxBufferedBytes,
  allowConnection,
  trustProxy,
  allowedOrigins,
}: {
  httpServer: HttpServer;
  collab: SocketRoute;
  log: Logger;
  metrics: Metrics;
  maxMessageBytes: number;
  maxBufferedBytes: number;
  /** Whether a client IP may open one more socket now (the per-IP connection rate). */
  allowConnection: (ip: string) => boolean;
  /** Whom to believe about the client IP (`TRUST_PROXY`), as for the REST API. */
  trustProxy: boolean | number | string[];
  allowedOrigins: readonly string[];
}): WebSocketGateway {
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes });
  const routes = new Map<string, { protocol: Protocol; handler: SocketRoute }>();
  const open = { collab: 0, yjs: 0 };
  const trust = compileTrust(trustProxy);
  let closing = false;

  httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (closing) return refuseUpgrade(socket, 503, 'Service Unavailable');
    if (!allowConnection(proxyAddr(request, trust))) {
      metrics.rateLimited.labels('connections').inc();
      return refuseUpgrade(socket, 429, 'Too Many Requests');
    }
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    const route =
      pathname === COLLAB_PATH
        ? { protocol: 'collab' as const, handler: collab }
        : routes.get(pathname.slice(0, pathname.indexOf('/', 1)));
    if (!route) return refuseUpgrade(socket, 404, 'Not Found');
    wss.handleUpgrade(request, socket, head, (ws) => {
      if (!isAllowedOrigin(request, allowedOrigins)) {
        ws.close(CloseCode.forbidden, 'origin not allowed');
        return;
      }
      open[route.protocol]++;
      ws.on('close', () => open[route.protocol]--);
      ws.on('error', (error) => log.debug({ err: error, protocol: route.protocol }, 'socket error'));
      watchOutgoing(ws, metrics.traffic[route.protocol].out, maxBufferedBytes, log);
      route.handler(ws, request, pathname);
    });
  });

  return {
    socketCount(protocol) {
      return protocol ? open[protocol] : wss.clients.size;
    },
    route(prefix, protocol, handler) {
      routes.set(prefix, { protocol, handler });
    },
    async close(timeoutMs) {
      closing = true;
      // A graceful close lets the messages a client sent before it saw ours be
      // received and applied; only then does the socket go.
      const closed = [...wss.clients].map(
        (socket) => new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          socket.once('close', () => resolve());
          socket.close(CloseCode.serviceRestart, CloseReason.serviceRestart);
        }),
      );
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([Promise.all(closed), timedOut]);
      clearTimeout(timer);
      for (const socket of wss.clients) socket.terminate();
      wss.close();
    },
  };
}
