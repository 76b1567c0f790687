import type { KeyValueStore } from '../storage.ts';
import { BROWSER_ID_PATTERN } from './browser-id.ts';

/** What a user shows to others: the awareness field `user` (see `shared/protocol.ts`). */
export interface UserIdentity {
  /** Display name, plain text (never HTML), at most {@link MAX_NAME_LENGTH} characters. */
  name: string;
  /** Cursor and label colour, one of {@link USER_COLORS}. */
  color: string;
  /** Selection background: {@link color} with 20 % opacity, `#rrggbbaa`. */
  colorLight: string;
  /**
   * The sender's browser (`browser-id.ts`), the same in all its tabs: one
   * person however many tabs. Absent from other clients (bots, older tabs).
   */
  id?: string;
}

/** Longest display name, in characters (code points). */
export const MAX_NAME_LENGTH = 40;

/** localStorage keys. */
export const NAME_KEY = 'pairpad.name';
export const COLOR_KEY = 'pairpad.color';

/**
 * Cursor colours: saturated enough for white label text (WCAG AA on the
 * label) and distinct from each other in both themes.
 */
export const USER_COLORS = [
  '#d1242f', '#0969da', '#1a7f37', '#8250df', '#bc4c00', '#bf3989',
  '#0e7490', '#9a6700', '#5a32a3', '#4d7c0f', '#c2410c', '#1d4ed8',
] as const;

// Control characters, bidi overrides and zero-width characters let a name
// hide, reorder or fake the text around it.
const INVISIBLE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/**
 * Cleans a display name typed by a user or received from a peer: drops
 * control and bidi characters, collapses whitespace, trims and caps the
 * length. The result may be empty.
 */
export function normalizeDisplayName(raw: string): string {
  const cleaned = raw.replace(INVISIBLE_CHARACTERS, ' ').replace(/\s+/g, ' ').trim();
  return Array.from(cleaned).slice(0, MAX_NAME_LENGTH).join('').trim();
}

/**
 * True for a colour of {@link USER_COLORS}, the only ones shown: colours
 * become CSS classes, never style text, so anything else is replaced.
 */
export function isUserColor(value: unknown): value is (typeof USER_COLORS)[number] {
  return typeof value === 'string' && (USER_COLORS as readonly string[]).includes(value);
}

/** The selection background matching a cursor colour. */
export function toLightColor(color: string): string {
  return `${color}33`;
}

/** Picks a colour from {@link USER_COLORS}; `random` returns a number in `[0, 1)`. */
export function pickUserColor(random: () => number = Math.random): string {
  const index = Math.min(USER_COLORS.length - 1, Math.floor(random() * USER_COLORS.length));
  return USER_COLORS[index];
}

/**
 * The colour to use on joining a room: `preferred` (the stored one) unless
 * someone already there wears it, then a palette colour nobody there uses
 * (`random` picks among them, so two people arriving together rarely land
 * on the same one). When the palette is used up, `preferred` is kept.
 */
export function chooseJoinColor(preferred: string, taken: Iterable<string>, random: () => number = Math.random): string {
  const used = new Set(taken);
  if (!used.has(preferred)) return preferred;
  const free = USER_COLORS.filter((color) => !used.has(color));
  if (free.length === 0) return preferred;
  return free[Math.min(free.length - 1, Math.floor(random() * free.length))];
}

/** A colour derived from a number (an awareness client id): used for peers that sent none. */
export function colorForClient(clientId: number): string {
  return USER_COLORS[Math.abs(Math.trunc(clientId)) % USER_COLORS.length];
}

/** The stored identity, or `undefined` when this browser has no name yet (first visit). */
export function loadIdentity(store: KeyValueStore): UserIdentity | undefined {
  const name = normalizeDisplayName(store.getItem(NAME_KEY) ?? '');
  if (name === '') return undefined;
  const storedColor = store.getItem(COLOR_KEY);
  const color = isUserColor(storedColor) ? storedColor : pickUserColor();
  if (color !== storedColor) store.setItem(COLOR_KEY, color);
  return { name, color, colorLight: toLightColor(color) };
}

/**
 * Stores a new display name and returns the identity; the colour picked on
 * the first visit is kept. Throws when the name is empty after cleaning.
 */
export function saveIdentity(
  store: KeyValueStore,
  rawName: string,
  random: () => number = Math.random,
): UserIdentity {
  const name = normalizeDisplayName(rawName);
  if (name === '') throw new Error('A display name cannot be empty.');
  const storedColor = store.getItem(COLOR_KEY);
  const color = isUserColor(storedColor) ? storedColor : pickUserColor(random);
  store.setItem(NAME_KEY, name);
  store.setItem(COLOR_KEY, color);
  return { name, color, colorLight: toLightColor(color) };
}

/** A name offered in the first-visit dialog. */
export function suggestGuestName(random: () => number = Math.random): string {
  return `Guest ${100 + Math.floor(random() * 900)}`;
}

/**
 * Turns the `user` field a peer put in its awareness state into something
 * safe to display: any shape is accepted, names are cleaned, colours outside
 * the palette are replaced by one derived from the client id.
 */
export function sanitizeRemoteUser(raw: unknown, clientId: number): UserIdentity {
  const user = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const name = typeof user.name === 'string' ? normalizeDisplayName(user.name) : '';
  const color = isUserColor(user.color) ? user.color : colorForClient(clientId);
  const id = typeof user.id === 'string' && BROWSER_ID_PATTERN.test(user.id) ? user.id : undefined;
  return { name: name === '' ? `Guest ${clientId % 1000}` : name, color, colorLight: toLightColor(color), ...(id ? { id } : {}) };
}
