import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { ByteCounts, ClientSpec } from './protocol.ts';

/**
 * A `ws` WebSocket that counts the payload bytes of every message it sends
 * and receives (the sockets' TCP byte counts are read separately, see
 * {@link readClientBytes}).
 */
export class CountingWebSocket extends WebSocket {
  payloadSent = 0;
  payloadReceived = 0;

  constructor(address: string, protocols?: string | string[]) {
    super(address, protocols);
    this.on('message', (data: Buffer | ArrayBuffer) => {
      this.payloadReceived += data.byteLength;
    });
  }

  override send(data: any, ...rest: any[]): void {
    this.payloadSent += data.byteLength ?? data.length ?? 0;
    super.send(data, ...rest);
  }
}

/** One real client: a provider of the protocol its server speaks, with its own Y.Doc. */
export interface BenchClient {
  spec: ClientSpec;
  doc: Y.Doc;
  text: Y.Text;
  /** Resolves once the first sync finished; rejects if the server refused the room. */
  synced: Promise<void>;
  /** Socket closes seen so far. */
  disconnects: number;
  isOpen(): boolean;
  setAwarenessField(field: string, value: unknown): void;
  /** Clears this client's awareness state, so it sends no presence renewals. */
  clearAwareness(): void;
  /** The socket in use right now, if any. */
  currentSocket(): CountingWebSocket | undefined;
  destroy(): void;
}

/** Creates a provider for `spec` and starts connecting; await `synced`. */
export function connectBenchClient(spec: ClientSpec): BenchClient {
  return spec.protocol === 'hocuspocus' ? connectHocuspocus(spec) : connectYjs(spec);
}

function connectHocuspocus(spec: ClientSpec): BenchClient {
  const doc = new Y.Doc();
  const socket = new HocuspocusProviderWebsocket({ url: spec.url, WebSocketPolyfill: CountingWebSocket });
  let resolveSynced!: () => void;
  let rejectSynced!: (error: Error) => void;
  const synced = new Promise<void>((resolve, reject) => {
    resolveSynced = resolve;
    rejectSynced = reject;
  });
  const provider = new HocuspocusProvider({
    websocketProvider: socket,
    name: spec.roomId,
    document: doc,
    onSynced: () => resolveSynced(),
    onAuthenticationFailed: ({ reason }) => rejectSynced(new Error(`refused: ${reason}`)),
  });
  provider.attach();
  const client: BenchClient = {
    spec,
    doc,
    text: doc.getText('code'),
    synced,
    disconnects: 0,
    isOpen: () => socket.status === 'connected',
    setAwarenessField: (field, value) => provider.setAwarenessField(field, value),
    clearAwareness: () => provider.awareness?.setLocalState(null),
    currentSocket: () => (socket.webSocket as unknown as CountingWebSocket | null) ?? undefined,
    destroy() {
      provider.destroy();
      socket.destroy();
      doc.destroy();
    },
  };
  socket.on('disconnect', () => {
    client.disconnects++;
  });
  return client;
}

function connectYjs(spec: ClientSpec): BenchClient {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(spec.url, spec.roomId, doc, {
    WebSocketPolyfill: CountingWebSocket as never,
    disableBc: true,
  });
  const synced = new Promise<void>((resolve, reject) => {
    provider.on('sync', (isSynced: boolean) => isSynced && resolve());
    provider.on('connection-close', (event) => {
      if (event && event.code >= 4000) reject(new Error(`refused: ${event.code} ${event.reason}`));
    });
  });
  const client: BenchClient = {
    spec,
    doc,
    text: doc.getText('code'),
    synced,
    disconnects: 0,
    isOpen: () => provider.wsconnected,
    setAwarenessField: (field, value) => provider.awareness.setLocalStateField(field, value),
    clearAwareness: () => provider.awareness.setLocalState(null),
    currentSocket: () => (provider.ws as unknown as CountingWebSocket | null) ?? undefined,
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
  provider.on('connection-close', () => {
    client.disconnects++;
  });
  return client;
}

/** Zeroed byte counts. */
export function emptyBytes(): ByteCounts {
  return { payloadSent: 0, payloadReceived: 0, socketSent: 0, socketReceived: 0 };
}

/** Byte counters of the sockets `clients` use right now, summed. */
export function readClientBytes(clients: Iterable<BenchClient>): ByteCounts {
  const total = emptyBytes();
  for (const client of clients) {
    const ws = client.currentSocket();
    if (!ws) continue;
    total.payloadSent += ws.payloadSent;
    total.payloadReceived += ws.payloadReceived;
    // ws keeps the TCP socket in a private field; its counters include framing.
    const tcp = (ws as unknown as { _socket?: { bytesWritten: number; bytesRead: number } })._socket;
    total.socketSent += tcp?.bytesWritten ?? 0;
    total.socketReceived += tcp?.bytesRead ?? 0;
  }
  return total;
}

/** `after - before`, field by field. */
export function subtractBytes(after: ByteCounts, before: ByteCounts): ByteCounts {
  return {
    payloadSent: after.payloadSent - before.payloadSent,
    payloadReceived: after.payloadReceived - before.payloadReceived,
    socketSent: after.socketSent - before.socketSent,
    socketReceived: after.socketReceived - before.socketReceived,
  };
}

/** Waits for `promise` at most `timeoutMs`; rejects with `message` after that. */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
