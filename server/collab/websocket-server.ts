import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Hocuspocus } from '@hocuspocus/server';
import { WebSocket, WebSocketServer } from 'ws';
import { CloseCode, CloseReason, COLLAB_PATH } from '../../shared/protocol.ts';
import type { Logger } from '../log.ts';

/** Handles an upgraded socket on a path other than `/collab` (e.g. the y-websocket bridge). */
export type SocketRoute = (socket: WebSocket, request: IncomingMessage, pathname: string) => void;

/** The WebSocket side of the HTTP server. */
export interface WebSocketGateway {
  /** Open sockets on every path. */
  readonly socketCount: number;
  /** Adds a handler for upgrades whose path starts with `prefix/`. */
  route(prefix: string, handler: SocketRoute): void;
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

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * Answers WebSocket upgrades on the HTTP server: `/collab` goes to
 * Hocuspocus, registered prefixes to their handlers, anything else gets 404.
 */
export function attachWebSockets({
  httpServer,
  hocuspocus,
  log,
}: {
  httpServer: HttpServer;
  hocuspocus: Hocuspocus;
  log: Logger;
}): WebSocketGateway {
  const wss = new WebSocketServer({ noServer: true });
  const routes = new Map<string, SocketRoute>();
  let closing = false;

  const acceptCollab = (socket: WebSocket, request: IncomingMessage) => {
    const connection = hocuspocus.handleConnection(socket, toFetchRequest(request));
    socket.on('message', (data: Buffer) => connection.handleMessage(data));
    socket.on('close', (code, reason) => connection.handleClose({ code, reason: reason.toString() }));
    socket.on('error', (error) => log.debug({ err: error }, 'collab socket error'));
  };

  httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (closing) return refuseUpgrade(socket, 503, 'Service Unavailable');
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    let handler: SocketRoute | undefined;
    if (pathname === COLLAB_PATH) handler = acceptCollab;
    else {
      const prefix = pathname.slice(0, pathname.indexOf('/', 1));
      handler = routes.get(prefix);
    }
    if (!handler) return refuseUpgrade(socket, 404, 'Not Found');
    const accept = handler;
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws, request, pathname));
  });

  return {
    get socketCount() {
      return wss.clients.size;
    },
    route(prefix, handler) {
      routes.set(prefix, handler);
    },
    async close(timeoutMs) {
      closing = true;
      const open = [...wss.clients];
      // A graceful close lets the messages a client sent before it saw ours be
      // received and applied; only then does the socket go.
      const closed = open.map(
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
