import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import proxyAddr from 'proxy-addr';
import { WebSocket, WebSocketServer } from 'ws';
import { CLIENT_KEY_PARAM, CloseCode, CloseReason, COLLAB_PATH, isClientKeyFormat } from '../../shared/protocol.ts';
import type { Logger } from '../log.ts';
import type { Metrics, Protocol, TrafficCount } from '../metrics.ts';
import { isAllowedOrigin } from '../origins.ts';
import { paceIncomingMessages } from './message-pacing.ts';

/** Handles an upgraded socket. */
export type SocketRoute = (socket: WebSocket, request: IncomingMessage, pathname: string) => void;

/** Why an upgrade is refused before it happens: an HTTP status and its text. */
export interface UpgradeRefusal {
  status: number;
  text: string;
}

/**
 * Decides on an upgrade before the socket opens (e.g. the y-websocket bridge:
 * unknown room, bad token): a refusal answered over HTTP, or the handler of
 * the socket. A client refused before the socket opens backs off; one whose
 * socket opens and then closes retries at once (y-websocket 1.x and 2.x).
 */
export type UpgradeGate = (request: IncomingMessage, pathname: string) => Promise<UpgradeRefusal | ((socket: WebSocket) => void)>;

/** The hook Hocuspocus uses to decide a connection is idle (`ClientConnection.lastMessageReceivedAt`). */
interface IdleClock {
  lastMessageReceivedAt: number;
}

/** How often each socket is pinged (ms). */
export const PING_INTERVAL_MS = 3500;
/**
 * Pings in a row a socket may leave unanswered before it is taken for
 * dead: someone whose network dropped (no close ever arrives) leaves the
 * others' presence after 3–4 intervals, 10.5–14 s, instead of Hocuspocus's
 * 60 s idle timeout (or y-protocols' 30 s awareness timeout). Counted per
 * ping sent, not by the clock, so a server that stalled for a while does
 * not drop everyone whose pong it had not read yet.
 */
export const MISSED_PINGS_BEFORE_DEAD = 3;

/**
 * Pings the client every `intervalMs` (at most {@link PING_INTERVAL_MS}) and counts each pong as traffic for
 * Hocuspocus's idle timeout, so a client that is there but quiet (alone in a
 * room, no awareness) is never closed. One that answers
 * {@link MISSED_PINGS_BEFORE_DEAD} pings in a row with nothing is
 * terminated: its close removes its cursor and name from the room. Every
 * WebSocket client answers pings.
 */
export function keepAliveWithPings(socket: WebSocket, connection: IdleClock, intervalMs = PING_INTERVAL_MS): void {
  let unanswered = 0;
  const timer = setInterval(() => {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (unanswered >= MISSED_PINGS_BEFORE_DEAD) {
      clearInterval(timer);
      // The close frame tells a live client that stopped answering why; a
      // dead one never answers it, so the socket goes now, not after the
      // closing handshake's 30 s.
      socket.close(CloseCode.idleTimeout, CloseReason.idleTimeout);
      socket.terminate();
      return;
    }
    unanswered += 1;
    socket.ping();
  }, intervalMs);
  timer.unref();
  socket.on('pong', () => {
    unanswered = 0;
    connection.lastMessageReceivedAt = Date.now();
  });
  socket.once('close', () => clearInterval(timer));
}

/** The WebSocket side of the HTTP server. */
export interface WebSocketGateway {
  /** Open sockets by protocol. */
  socketCount(protocol?: Protocol): number;
  /** Adds a gate (and through it a handler) for upgrades whose path starts with `prefix/`. */
  route(prefix: string, protocol: Protocol, gate: UpgradeGate): void;
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
  if (socket.destroyed) return;
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
 * `collab`, registered prefixes to their handlers, anything else gets 404;
 * a malformed client key (`?clientKey=`, see `shared/protocol.ts`) gets 400.
 * Messages over `maxMessageBytes` close the socket with 1009 (done by `ws`);
 * a socket sending more than `maxMessagesPerSecond` is slowed down (see
 * `message-pacing.ts`), never closed for it.
 */
export function attachWebSockets({
  httpServer,
  collab,
  log,
  metrics,
  maxMessageBytes,
  maxBufferedBytes,
  maxMessagesPerSecond,
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
  /** Messages per second a socket may send on average, twice that in a burst (`MAX_MESSAGES_PER_SECOND`, 0 = unpaced). */
  maxMessagesPerSecond: number;
  /** Whether a client IP may open one more socket now (the per-IP connection rate). */
  allowConnection: (ip: string) => boolean;
  /** Whom to believe about the client IP (`TRUST_PROXY`), as for the REST API. */
  trustProxy: boolean | number | string[];
  allowedOrigins: readonly string[];
}): WebSocketGateway {
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes });
  const routes = new Map<string, { protocol: Protocol; gate: UpgradeGate }>();
  const open = { collab: 0, yjs: 0 };
  const trust = compileTrust(trustProxy);
  let closing = false;

  const accept = (request: IncomingMessage, socket: Duplex, head: Buffer, protocol: Protocol, handler: (ws: WebSocket) => void) => {
    wss.handleUpgrade(request, socket, head, (ws) => {
      if (!isAllowedOrigin(request, allowedOrigins)) {
        ws.close(CloseCode.forbidden, 'origin not allowed');
        return;
      }
      open[protocol]++;
      ws.on('close', () => open[protocol]--);
      ws.on('error', (error) => log.debug({ err: error, protocol }, 'socket error'));
      watchOutgoing(ws, metrics.traffic[protocol].out, maxBufferedBytes, log);
      paceIncomingMessages(ws, {
        perSecond: maxMessagesPerSecond,
        // What `ws` may have read before the pause: a read chunk and one message.
        maxQueuedBytes: maxMessageBytes + 1024 * 1024,
        onPaused: () => metrics.rateLimited.labels('messages').inc(),
        onOverflow: () => log.info({ protocol }, 'closing a socket that overran its paced queue'),
      });
      handler(ws);
    });
  };

  httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (closing) return refuseUpgrade(socket, 503, 'Service Unavailable');
    if (!allowConnection(proxyAddr(request, trust))) {
      metrics.rateLimited.labels('connections').inc();
      return refuseUpgrade(socket, 429, 'Too Many Requests');
    }
    const url = new URL(request.url ?? '/', 'http://localhost');
    const pathname = url.pathname;
    // A client key that is there but malformed would silently leave the client unprotected.
    const clientKey = url.searchParams.get(CLIENT_KEY_PARAM);
    if (clientKey !== null && !isClientKeyFormat(clientKey)) return refuseUpgrade(socket, 400, 'Bad Request');
    if (pathname === COLLAB_PATH) return accept(request, socket, head, 'collab', (ws) => collab(ws, request, pathname));
    const route = routes.get(pathname.slice(0, pathname.indexOf('/', 1)));
    if (!route) return refuseUpgrade(socket, 404, 'Not Found');
    route.gate(request, pathname).then(
      (decision) => {
        if (closing) return refuseUpgrade(socket, 503, 'Service Unavailable');
        if (typeof decision !== 'function') return refuseUpgrade(socket, decision.status, decision.text);
        if (!socket.destroyed) accept(request, socket, head, route.protocol, decision);
      },
      (error) => {
        log.warn({ err: error, protocol: route.protocol }, 'could not decide on an upgrade');
        refuseUpgrade(socket, 503, 'Service Unavailable');
      },
    );
  });

  return {
    socketCount(protocol) {
      return protocol ? open[protocol] : wss.clients.size;
    },
    route(prefix, protocol, gate) {
      routes.set(prefix, { protocol, gate });
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
