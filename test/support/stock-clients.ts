import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import * as HocuspocusV2 from 'hocuspocus-provider-v2';
import * as HocuspocusV3 from 'hocuspocus-provider-v3';
import WebSocket from 'ws';
import { WebsocketProvider as YWebsocketV3 } from 'y-websocket';
import { WebsocketProvider as YWebsocketV1 } from 'y-websocket-v1';
import { WebsocketProvider as YWebsocketV2 } from 'y-websocket-v2';
import * as Y from 'yjs';
import { CODE_TEXT } from '../../shared/protocol.ts';

/** The stock clients installed for the tests, by the name a test prints. */
export const STOCK_CLIENTS = ['y-websocket 1.x', 'y-websocket 2.x', 'y-websocket 3.x', '@hocuspocus/provider 3.x', '@hocuspocus/provider 4.x'] as const;
export type StockClientKind = (typeof STOCK_CLIENTS)[number] | '@hocuspocus/provider 2.x';

/** A stock client in a room, with what the server told it when it closed the socket. */
export interface StockClient {
  kind: StockClientKind;
  doc: Y.Doc;
  text: Y.Text;
  /** Resolves once the first sync finished. */
  synced: Promise<void>;
  /** Close codes of every socket close it saw, in order. */
  closes: { code: number; reason: string }[];
  /** Reasons of every document refusal it saw (Hocuspocus providers). */
  refusals: string[];
  destroy(): void;
}

/** Connects the stock client `kind` to room `roomId` (y-websocket on `/yjs`, Hocuspocus providers on `/collab`). */
export function connectStockClient(
  kind: StockClientKind,
  wsUrl: string,
  roomId: string,
  /** y-websocket's longest wait between reconnects (its default is 2,500 ms; tests reconnect faster). */
  {
    maxBackoffTime = 500,
    token,
    clientKey,
    document,
  }: {
    maxBackoffTime?: number;
    /** Hocuspocus providers: the `token` option; y-websocket: the `?token=` parameter. */
    token?: string;
    /** A client key, passed the way an embedder would: y-websocket's `params`, the Hocuspocus socket URL's query. */
    clientKey?: string;
    /** The Y.Doc to use (a reconnect with the same document); a new one by default. */
    document?: Y.Doc;
  } = {},
): StockClient {
  const doc = document ?? new Y.Doc();
  const closes: StockClient['closes'] = [];
  const refusals: string[] = [];
  let markSynced!: () => void;
  const synced = new Promise<void>((resolve) => {
    markSynced = resolve;
  });
  let destroy: () => void;

  if (kind.startsWith('y-websocket')) {
    const Provider = kind === 'y-websocket 1.x' ? YWebsocketV1 : kind === 'y-websocket 2.x' ? YWebsocketV2 : YWebsocketV3;
    // The three versions differ only in their typings; one shape serves all.
    const provider = new (Provider as typeof YWebsocketV3)(`${wsUrl}/yjs`, roomId, doc, {
      WebSocketPolyfill: WebSocket as never,
      disableBc: true,
      maxBackoffTime,
      params: { ...(clientKey === undefined ? {} : { clientKey }), ...(token === undefined ? {} : { token }) },
    });
    provider.on('sync', (isSynced: boolean) => isSynced && markSynced());
    provider.on('connection-close', (event: { code: number; reason: string } | null) => {
      if (event) closes.push({ code: event.code, reason: String(event.reason) });
    });
    destroy = () => provider.destroy();
  } else {
    const { Provider, Socket } =
      kind === '@hocuspocus/provider 2.x'
        ? { Provider: HocuspocusV2.HocuspocusProvider, Socket: HocuspocusV2.HocuspocusProviderWebsocket }
        : kind === '@hocuspocus/provider 3.x'
          ? { Provider: HocuspocusV3.HocuspocusProvider, Socket: HocuspocusV3.HocuspocusProviderWebsocket }
          : { Provider: HocuspocusProvider, Socket: HocuspocusProviderWebsocket };
    const socket = new (Socket as typeof HocuspocusProviderWebsocket)({
      url: clientKey === undefined ? `${wsUrl}/collab` : `${wsUrl}/collab?clientKey=${clientKey}`,
      WebSocketPolyfill: WebSocket,
      delay: 100,
      minDelay: 50,
      maxDelay: 500,
      onClose: ({ event }: { event: { code: number; reason: string } }) => closes.push({ code: event.code, reason: String(event.reason) }),
    } as never);
    const provider = new (Provider as typeof HocuspocusProvider)({
      websocketProvider: socket,
      name: roomId,
      document: doc,
      token,
      onSynced: () => markSynced(),
      onAuthenticationFailed: ({ reason }: { reason: string }) => refusals.push(reason),
    } as never);
    // 2.x attaches itself; 3.x and later wait for this.
    (provider as { attach?: () => void }).attach?.();
    destroy = () => {
      // 2.x closes a socket still connecting without listening for the error that raises.
      (socket as unknown as { webSocket?: WebSocket }).webSocket?.on?.('error', () => {});
      provider.destroy();
      socket.destroy();
    };
  }
  return {
    kind,
    doc,
    text: doc.getText(CODE_TEXT),
    synced,
    closes,
    refusals,
    destroy: () => {
      destroy();
      doc.destroy();
    },
  };
}
