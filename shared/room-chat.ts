import * as Y from 'yjs';
import { CHAT_ARRAY, CHAT_MAX_COLOR, CHAT_MAX_ID, CHAT_MAX_NAME, CHAT_MAX_TEXT } from './protocol.ts';

/**
 * The room's chat (`doc.getArray(CHAT_ARRAY)`, layout in `shared/protocol.ts`):
 * the message shape, the predicate the update guard checks every appended
 * message with, and the reads and appends clients and tests use.
 */

/** One chat message, a plain JSON object in the `chat` array. */
export interface ChatMessage {
  /** Random, made by the sender (1 to {@link CHAT_MAX_ID} characters of `[A-Za-z0-9_-]`). */
  id: string;
  /** When it was sent: milliseconds since the epoch, by the sender's clock. */
  at: number;
  /** The author's display name (≤ {@link CHAT_MAX_NAME} characters). */
  name: string;
  /** The author's colour (`#rrggbb`, ≤ {@link CHAT_MAX_COLOR} characters). */
  color: string;
  /** Plain text, 1 to {@link CHAT_MAX_TEXT} characters. Never HTML. */
  text: string;
}

const CHAT_KEYS = ['id', 'at', 'name', 'color', 'text'] as const;
const CHAT_ID_PATTERN = /^[A-Za-z0-9_-]+$/;

/** True when `value` is a chat message exactly as the layout allows: those five keys, nothing else, each within its bounds. */
export function isChatMessage(value: unknown): value is ChatMessage {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  // A plain object: JSON decoded by Yjs (`ContentAny`) has Object.prototype.
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length !== CHAT_KEYS.length) return false;
  for (const key of CHAT_KEYS) if (!Object.hasOwn(record, key)) return false;
  const { id, at, name, color, text } = record;
  return (
    typeof id === 'string' && id.length >= 1 && id.length <= CHAT_MAX_ID && CHAT_ID_PATTERN.test(id) &&
    typeof at === 'number' && Number.isFinite(at) && at >= 0 &&
    typeof name === 'string' && name.length <= CHAT_MAX_NAME &&
    typeof color === 'string' && color.length <= CHAT_MAX_COLOR &&
    typeof text === 'string' && text.length >= 1 && text.length <= CHAT_MAX_TEXT
  );
}

/** The room's chat array. */
export function chatArray(doc: Y.Doc): Y.Array<unknown> {
  return doc.getArray<unknown>(CHAT_ARRAY);
}

/** The room's messages in order, skipping anything that is not a message (a room loaded from elsewhere). */
export function readChatMessages(doc: Y.Doc): ChatMessage[] {
  return chatArray(doc).toArray().filter(isChatMessage);
}

/** A random message id: 16 base64url characters (96 bits). */
export function newChatId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_');
}

/**
 * Appends a message (`push`: the only change a client may make to the chat)
 * and returns it. `text` is cut to {@link CHAT_MAX_TEXT} characters and
 * `name` / `color` to their bounds, so the guard never refuses what this makes;
 * throws on an empty text.
 */
export function appendChatMessage(
  doc: Y.Doc,
  message: { name: string; color: string; text: string },
  options: { at?: number; id?: string; origin?: unknown } = {},
): ChatMessage {
  const text = message.text.slice(0, CHAT_MAX_TEXT);
  if (text.length === 0) throw new Error('a chat message needs a text');
  const appended: ChatMessage = {
    id: options.id ?? newChatId(),
    at: options.at ?? Date.now(),
    name: message.name.slice(0, CHAT_MAX_NAME),
    color: message.color.slice(0, CHAT_MAX_COLOR),
    text,
  };
  doc.transact(() => chatArray(doc).push([appended]), options.origin);
  return appended;
}
