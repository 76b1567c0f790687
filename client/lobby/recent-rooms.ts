import { toLanguage, type Language } from '../../shared/protocol.ts';
import type { KeyValueStore } from '../storage.ts';

/** A room this browser opened, as the lobby lists it. */
export interface RecentRoom {
  roomId: string;
  title: string;
  language: Language;
  /** Last time the room was opened here, in milliseconds since the epoch. */
  lastVisit: number;
}

/** localStorage key of the list. */
export const RECENT_ROOMS_KEY = 'pairpad.recentRooms';
/** How many rooms the lobby remembers; older ones are dropped. */
export const MAX_RECENT_ROOMS = 12;

/**
 * The remembered rooms, most recent first. A corrupt or foreign value is
 * read as an empty list rather than breaking the lobby.
 */
export function readRecentRooms(store: KeyValueStore): RecentRoom[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(store.getItem(RECENT_ROOMS_KEY) ?? '[]');
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const rooms: RecentRoom[] = [];
  const seen = new Set<string>();
  for (const entry of parsed) {
    const room = toRecentRoom(entry);
    if (room && !seen.has(room.roomId)) {
      seen.add(room.roomId);
      rooms.push(room);
    }
  }
  return rooms.sort((a, b) => b.lastVisit - a.lastVisit).slice(0, MAX_RECENT_ROOMS);
}

/** Records a visit (or a new title or language) of a room and returns the new list. */
export function rememberRoom(
  store: KeyValueStore,
  room: { roomId: string; title: string; language: string },
  now: number,
): RecentRoom[] {
  const entry: RecentRoom = {
    roomId: room.roomId,
    title: room.title.slice(0, 200),
    language: toLanguage(room.language),
    lastVisit: now,
  };
  const rooms = [entry, ...readRecentRooms(store).filter((r) => r.roomId !== room.roomId)].slice(
    0,
    MAX_RECENT_ROOMS,
  );
  store.setItem(RECENT_ROOMS_KEY, JSON.stringify(rooms));
  return rooms;
}

/** Removes a room from the list (a room that no longer exists) and returns the new list. */
export function forgetRoom(store: KeyValueStore, roomId: string): RecentRoom[] {
  const rooms = readRecentRooms(store).filter((r) => r.roomId !== roomId);
  store.setItem(RECENT_ROOMS_KEY, JSON.stringify(rooms));
  return rooms;
}

/** "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", or a date for older visits. */
export function formatLastVisit(lastVisit: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - lastVisit) / 1000));
  if (seconds < 60) return 'just now';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  if (days === 1) return 'yesterday';
  if (days < 30) return `${days} days ago`;
  return new Date(lastVisit).toISOString().slice(0, 10);
}

function toRecentRoom(entry: unknown): RecentRoom | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { roomId, title, language, lastVisit } = entry as Record<string, unknown>;
  if (typeof roomId !== 'string' || roomId === '') return undefined;
  if (typeof lastVisit !== 'number' || !Number.isFinite(lastVisit)) return undefined;
  return {
    roomId,
    title: typeof title === 'string' ? title : '',
    language: toLanguage(language),
    lastVisit,
  };
}
