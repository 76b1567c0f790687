import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { MessageType } from '@hocuspocus/server';
import * as decoding from 'lib0/decoding';
import WebSocket from 'ws';
import { messageYjsSyncStep2, messageYjsUpdate } from 'y-protocols/sync';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { CODE_TEXT } from '../../shared/protocol.ts';
import { createRandom } from './random.ts';

export { createRandom };

/** A real Hocuspocus client in a room, with its own Y.Doc. */
export interface TestClient {
  doc: Y.Doc;
  text: Y.Text;
  provider: HocuspocusProvider;
  socket: HocuspocusProviderWebsocket;
  /** Resolves once the first sync with the server finished. */
  synced: Promise<void>;
  destroy(): void;
}

/** Connects a `HocuspocusProvider` (over `ws`, since Node 20 has no global WebSocket) to `/collab`. */
export function connectClient(
  wsUrl: string,
  roomId: string,
  options: {
    onAuthenticationFailed?: (reason: string) => void;
    document?: Y.Doc;
    token?: string;
    /** A client key for the socket URL (see "Client keys" in `shared/protocol.ts`). */
    clientKey?: string;
  } = {},
): TestClient {
  const doc = options.document ?? new Y.Doc();
  const socket = new HocuspocusProviderWebsocket({
    url: options.clientKey === undefined ? `${wsUrl}/collab` : `${wsUrl}/collab?clientKey=${options.clientKey}`,
    WebSocketPolyfill: WebSocket,
    delay: 100,
    minDelay: 50,
    maxDelay: 500,
  });
  let resolveSynced!: () => void;
  const synced = new Promise<void>((resolve) => {
    resolveSynced = resolve;
  });
  const provider = new HocuspocusProvider({
    websocketProvider: socket,
    name: roomId,
    document: doc,
    token: options.token,
    onSynced: () => resolveSynced(),
    onAuthenticationFailed: ({ reason }) => options.onAuthenticationFailed?.(reason),
  });
  provider.attach();
  return {
    doc,
    text: doc.getText(CODE_TEXT),
    provider,
    socket,
    synced,
    destroy() {
      provider.destroy();
      socket.destroy();
      doc.destroy();
    },
  };
}

/** One random insertion or deletion in `text`, as a typist would make it. */
export function makeRandomEdit(text: Y.Text, random: () => number, alphabet = 'abcdefghij \n'): void {
  const length = text.length;
  if (length > 0 && random() < 0.3) {
    const at = Math.floor(random() * length);
    text.delete(at, Math.min(length - at, 1 + Math.floor(random() * 3)));
  } else {
    const at = Math.floor(random() * (length + 1));
    text.insert(at, alphabet[Math.floor(random() * alphabet.length)]);
  }
}

/**
 * Makes `edits` random edits in `text` (seeded by `seed`), yielding to the
 * event loop every ten so the socket carries them while the typing goes on,
 * as for a person, rather than all after it.
 */
export async function typeRandomEdits(text: Y.Text, edits: number, seed: number): Promise<void> {
  const random = createRandom(seed);
  for (let i = 0; i < edits; i++) {
    makeRandomEdit(text, random);
    if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A real y-websocket client (`WebsocketProvider`) in a room, on `/yjs/:roomId`. */
export interface YjsTestClient {
  doc: Y.Doc;
  text: Y.Text;
  provider: WebsocketProvider;
  synced: Promise<void>;
  destroy(): void;
}

export function connectYjsClient(wsUrl: string, roomId: string, params: Record<string, string> = {}): YjsTestClient {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${wsUrl}/yjs`, roomId, doc, {
    WebSocketPolyfill: WebSocket as never,
    disableBc: true,
    params,
    maxBackoffTime: 500,
  });
  const synced = new Promise<void>((resolve) => {
    provider.on('sync', (isSynced: boolean) => isSynced && resolve());
  });
  return {
    doc,
    text: doc.getText(CODE_TEXT),
    provider,
    synced,
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}


/** Counts the frames a client receives from now on whose message (after the document name) `matches` reads as wanted. */
function countReceived(client: TestClient, matches: (decoder: decoding.Decoder) => boolean): { count: number } {
  const received = { count: 0 };
  client.provider.on('message', ({ event }: { event: MessageEvent }) => {
    const decoder = decoding.createDecoder(new Uint8Array(event.data as ArrayBuffer));
    decoding.readVarString(decoder);
    if (matches(decoder)) received.count++;
  });
  return received;
}

/** Counts the document updates (sync messages of type "update", not sync answers) a client receives from now on. */
export function countReceivedUpdates(client: TestClient): { count: number } {
  return countReceived(client, (decoder) => decoding.readVarUint(decoder) === MessageType.Sync && decoding.readVarUint(decoder) === messageYjsUpdate);
}

/** Counts the awareness frames (cursors, names) a client receives from now on. */
export function countReceivedAwareness(client: TestClient): { count: number } {
  return countReceived(client, (decoder) => decoding.readVarUint(decoder) === MessageType.Awareness);
}

/** The payload lengths of the sync step 2 frames (whole-room answers) a client receives from now on. */
export function syncAnswerSizes(client: TestClient): number[] {
  const sizes: number[] = [];
  countReceived(client, (decoder) => {
    const answer = decoding.readVarUint(decoder) === MessageType.Sync && decoding.readVarUint(decoder) === messageYjsSyncStep2;
    if (answer) sizes.push(decoding.readVarUint8Array(decoder).length);
    return answer;
  });
  return sizes;
}
