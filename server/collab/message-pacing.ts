import { WebSocket } from 'ws';
import { CloseCode, CloseReason } from '../../shared/protocol.ts';

/** How fast one socket's messages are handed on (see {@link paceIncomingMessages}). */
export interface MessagePacing {
  /** Messages per second on average (`MAX_MESSAGES_PER_SECOND`); bursts of twice that pass at once. 0 = unpaced. */
  perSecond: number;
  /**
   * Bytes that may wait in the queue. A paused socket reads nothing new, so
   * only what `ws` had already read can pile up; past this the socket is
   * closed with 1013 (retryable) rather than held without bound.
   */
  maxQueuedBytes: number;
  /** Called each time the socket is paused because it sends too fast. */
  onPaused?(): void;
  /** Called when the queue overflowed and the socket was closed. */
  onOverflow?(): void;
}

type Listener = (event: string | symbol, ...args: unknown[]) => boolean;

/**
 * Slows a fast sender down instead of cutting it off: a token bucket per
 * socket (`perSecond` refill, twice that as burst) decides when each
 * incoming message is handed to the socket's `message` listeners. Past the
 * budget, messages wait in order and the socket is paused (TCP backpressure:
 * the client's sends block in its own buffers), and it resumes once the queue
 * has drained at the allowed rate. Stock clients thus see a slow server, not
 * a close; y-websocket 3 never reconnects after a 44xx close.
 *
 * Queued messages are never dropped: when the socket starts closing (either
 * side) they are handed on at once, in order, before `close` is emitted.
 */
export function paceIncomingMessages(socket: WebSocket, pacing: MessagePacing): void {
  const { perSecond, maxQueuedBytes } = pacing;
  if (perSecond <= 0) return;
  const burst = perSecond * 2;
  let tokens = burst;
  let refilledAt = performance.now();
  const queue: unknown[][] = [];
  let queuedBytes = 0;
  let timer: NodeJS.Timeout | undefined;
  const emit = socket.emit.bind(socket) as Listener;

  const refill = () => {
    const now = performance.now();
    tokens = Math.min(burst, tokens + ((now - refilledAt) / 1000) * perSecond);
    refilledAt = now;
  };
  const handOn = (args: unknown[]) => {
    queuedBytes -= byteLength(args[0]);
    emit('message', ...args);
  };
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    while (queue.length > 0) handOn(queue.shift()!);
  };
  const drain = () => {
    timer = undefined;
    if (socket.readyState !== WebSocket.OPEN) {
      flush();
      socket.resume();
      return;
    }
    refill();
    while (queue.length > 0 && tokens >= 1) {
      tokens -= 1;
      handOn(queue.shift()!);
    }
    if (queue.length > 0) schedule();
    else socket.resume();
  };
  const schedule = () => {
    timer = setTimeout(drain, Math.max(1, Math.ceil(((1 - tokens) / perSecond) * 1000)));
  };

  // `ws` emits `message` from its receiver; intercepting the emit keeps every
  // route (`/collab`, `/yjs`) unaware of the pacing.
  socket.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event === 'message') {
      if (queue.length === 0) {
        refill();
        if (tokens >= 1) {
          tokens -= 1;
          return emit(event, ...args);
        }
      }
      queue.push(args);
      queuedBytes += byteLength(args[0]);
      if (queuedBytes > maxQueuedBytes) {
        // Handing on what was read keeps every edit the client made so far.
        flush();
        pacing.onOverflow?.();
        socket.close(CloseCode.tryAgainLater, CloseReason.tryAgainLater);
        socket.resume(); // to read the client's close frame
        return true;
      }
      if (timer === undefined) {
        socket.pause();
        pacing.onPaused?.();
        schedule();
      }
      return true;
    }
    if (event === 'close') flush();
    return emit(event, ...args);
  }) as WebSocket['emit'];
}

function byteLength(data: unknown): number {
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (Array.isArray(data)) return data.reduce((sum: number, part: Buffer) => sum + part.length, 0);
  return (data as Buffer).length;
}
