import WebSocket from 'ws';
import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { META_MAP } from '../../shared/protocol.ts';
import { connectClient, connectYjsClient } from './providers.ts';

/** The two socket protocols a room speaks. */
export const PROTOCOLS = ['collab', 'yjs'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** A real client of either protocol (`@hocuspocus/provider` on `/collab`, stock y-websocket on `/yjs`), with what the server told it on close. */
export interface Participant {
  doc: Y.Doc;
  text: Y.Text;
  meta: Y.Map<unknown>;
  awareness: Awareness;
  synced: Promise<void>;
  closes: { code: number; reason: string }[];
  /** Document refusals (`/collab`) and refused upgrades (`/yjs`), as reasons. */
  refusals: string[];
  destroy(): void;
}

/** Connects a participant to `id` (an edit or view id); `token` is the socket's token (the owner key, or a JWT). */
export function joinRoom(protocol: Protocol, wsUrl: string, id: string, token?: string): Participant {
  const closes: Participant['closes'] = [];
  const refusals: string[] = [];
  if (protocol === 'collab') {
    const client = connectClient(wsUrl, id, { token, onAuthenticationFailed: (reason) => refusals.push(reason) });
    client.socket.on('close', ({ event }: { event: { code: number; reason: string } }) => closes.push({ code: event.code, reason: String(event.reason) }));
    const destroy = () => {
      // A socket still connecting (a refused client retrying) throws on close unless someone listens for its error.
      (client.socket as unknown as { webSocket?: { on?: (event: string, listener: () => void) => void } }).webSocket?.on?.('error', () => {});
      client.destroy();
    };
    return { doc: client.doc, text: client.text, meta: client.doc.getMap(META_MAP), awareness: client.provider.awareness!, synced: client.synced, closes, refusals, destroy };
  }
  const client = connectYjsClient(wsUrl, id, token === undefined ? {} : { token });
  client.provider.on('connection-close', (event: { code: number; reason: string } | null) => {
    if (event) closes.push({ code: event.code, reason: String(event.reason) });
  });
  client.provider.on('connection-error', () => refusals.push('connection error'));
  return { doc: client.doc, text: client.text, meta: client.doc.getMap(META_MAP), awareness: client.provider.awareness, synced: client.synced, closes, refusals, destroy: () => client.destroy() };
}

/** Every frame a raw `/yjs/:id` socket receives until `close()`, to look for what must never be sent. */
export function listenRaw(wsUrl: string, id: string): { frames: Buffer[]; opened: Promise<void>; close(): void } {
  const frames: Buffer[] = [];
  const socket = new WebSocket(`${wsUrl}/yjs/${id}`);
  socket.on('message', (data: Buffer) => frames.push(Buffer.from(data)));
  socket.on('error', () => {});
  const opened = new Promise<void>((resolve) => socket.once('open', () => resolve()));
  return { frames, opened, close: () => socket.close() };
}

/** `fetch` with the owner key (or a token) as the bearer. */
export function ownerCall(baseUrl: string, method: string, path: string, bearer?: string, json?: object): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(json ? { 'content-type': 'application/json' } : {}) },
    body: json ? JSON.stringify(json) : undefined,
  });
}
