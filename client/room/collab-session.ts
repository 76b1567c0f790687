import { HocuspocusProvider } from '@hocuspocus/provider';
import type { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { CLIENT_KEY_PARAM, CloseCode, CloseReason, CODE_TEXT, META_LANGUAGE, META_MAP, META_TITLE, toLanguage, type Language } from '../../shared/protocol.ts';
import { newClientKey } from './client-key.ts';

/** The Yjs side of an open room: the shared document and its provider. */
export interface CollabSession {
  readonly doc: Y.Doc;
  readonly provider: HocuspocusProvider;
  readonly awareness: Awareness;
  /** The code, `doc.getText(CODE_TEXT)`. */
  readonly ytext: Y.Text;
  /** `doc.getMap(META_MAP)`: `language` and `title`. */
  readonly meta: Y.Map<unknown>;
  /** The language in `meta`, or `fallback` while the document has none (before the first sync). */
  language(fallback: Language): Language;
  /** The title in `meta`, or `fallback`. */
  title(fallback: string): string;
  setLanguage(language: Language): void;
  setTitle(title: string): void;
  /** Tries to reconnect now instead of at the next scheduled attempt ("Retry now"). */
  reconnectNow(): void;
  destroy(): void;
}

/** Options of {@link openCollabSession}. */
export interface CollabSessionOptions {
  /** `ws(s)://host/collab`. */
  url: string;
  /** Hocuspocus document name: the room id (or a view id). */
  name: string;
  /** The socket's token: the room's owner key in the owner's browser (`docs/owner.md`), else none. */
  token?: string;
  /**
   * The server refused the document (`reason` is e.g. `room not found`,
   * see `CloseReason` in `shared/protocol.ts`). The provider is stopped
   * before this is called, so it does not retry.
   */
  onRefused(reason: string): void;
  /**
   * The server closed the socket for a reason reconnecting cannot fix (the
   * provider would resend the same refused change forever): `detail` says
   * which. The provider is stopped before this is called.
   */
  onClosedForGood(detail: string): void;
}

/**
 * Close codes after which a reconnect would only be refused again, with what
 * to tell the person (codes in `shared/protocol.ts`; 1009 is the WebSocket
 * "message too big").
 */
const PERMANENT_CLOSES: ReadonlyMap<number, string> = new Map([
  [1009, 'The server refused a change larger than it accepts in one message'],
  [CloseCode.malformedMessage, 'The server refused a change it could not apply, twice'],
  [CloseCode.documentTooLarge, 'The server refused a change that would make the room larger than it allows'],
  [CloseCode.unsupportedClient, 'The server does not support this client version'],
  [CloseCode.roomFull, 'The room is full: its owner set a limit of editors'],
  [CloseCode.roomDeleted, 'The room\'s owner deleted the room'],
]);

/** The owner's closes that share a code with others (`shared/protocol.ts`), told apart by their reason; none is worth a reconnect. */
const OWNER_CLOSES: ReadonlyMap<string, string> = new Map([
  [CloseReason.removed, 'The room\'s owner removed you from the room'],
  [CloseReason.linkRotated, 'The room\'s owner made new links; this one no longer works'],
]);

/** `url` with the client key in its query. */
function withClientKey(url: string, key: string): string {
  const keyed = new URL(url);
  keyed.searchParams.set(CLIENT_KEY_PARAM, key);
  return keyed.toString();
}
/**
 * How the provider retries a lost connection: soon and often (the default
 * backs off to 30 s, so a tab came back 6–8 s after the server did). At
 * most every 2 s, with jitter, so a restarted server is not met by every
 * tab in the same millisecond.
 */
export const RECONNECT_BACKOFF = { delay: 500, minDelay: 500, maxDelay: 2000, factor: 1.5, jitter: true } as const;

/** Connects to a room with `@hocuspocus/provider`; the provider reconnects by itself. */
export function openCollabSession(options: CollabSessionOptions): CollabSession {
  const doc = new Y.Doc();
  const ytext = doc.getText(CODE_TEXT);
  const meta = doc.getMap<unknown>(META_MAP);
  let destroyed = false;
  const provider = new HocuspocusProvider({
    // The document's key: every socket this provider opens (each reconnect) carries it.
    url: withClientKey(options.url, newClientKey()),
    name: options.name,
    document: doc,
    ...(options.token ? { token: options.token } : {}),
    ...RECONNECT_BACKOFF,
    onAuthenticationFailed: ({ reason }) => {
      if (destroyed) return;
      destroyed = true;
      // Destroying inside the provider's own event handler would cut its
      // dispatch short; let it finish first.
      queueMicrotask(() => {
        provider.destroy();
        options.onRefused(reason);
      });
    },
  });
  let lastCloseCode: number | undefined;
  // Everything confirmed: whatever was refused before is behind us.
  provider.on('unsyncedChanges', () => {
    if (provider.unsyncedChanges === 0 && provider.isSynced) lastCloseCode = undefined;
  });
  provider.on('close', ({ event }: { event: CloseEvent }) => {
    const detail = OWNER_CLOSES.get(String(event.reason)) ?? PERMANENT_CLOSES.get(event.code);
    // A 4400 may be a one-off (an update whose dependencies were still on
    // the way); only the same refusal right after reconnecting is final.
    const final = detail !== undefined && (event.code !== CloseCode.malformedMessage || lastCloseCode === event.code);
    lastCloseCode = event.code;
    if (!final || destroyed) return;
    // Stops the reconnect the provider has scheduled; the document stays as it is.
    provider.configuration.websocketProvider.disconnect();
    options.onClosedForGood(detail);
  });
  const awareness = provider.awareness;
  if (!awareness) throw new Error('the provider has no awareness');

  return {
    doc,
    provider,
    awareness,
    ytext,
    meta,
    language: (fallback) => (typeof meta.get(META_LANGUAGE) === 'string' ? toLanguage(meta.get(META_LANGUAGE)) : fallback),
    title: (fallback) => {
      const title = meta.get(META_TITLE);
      return typeof title === 'string' ? title : fallback;
    },
    setLanguage: (language) => {
      if (meta.get(META_LANGUAGE) !== language) meta.set(META_LANGUAGE, language);
    },
    setTitle: (title) => {
      if (meta.get(META_TITLE) !== title) meta.set(META_TITLE, title);
    },
    reconnectNow() {
      if (!destroyed) void provider.configuration.websocketProvider.connect();
    },
    destroy() {
      if (!destroyed) provider.destroy();
      destroyed = true;
      doc.destroy();
    },
  };
}
