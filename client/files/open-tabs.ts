import { ENTRY_FILE_ID, FILE_ID_PATTERN } from '../../shared/protocol.ts';
import type { KeyValueStore } from '../storage.ts';

/** The tabs open in one browser tab for one room: file ids, in order, and the one shown. */
export interface OpenTabs {
  open: string[];
  active: string;
}

/** Tabs remembered per room at most (oldest first out). */
const MAX_TABS = 30;

function keyOf(roomKey: string): string {
  return `pairpad.tabs.${roomKey}`;
}

/**
 * The tabs this browser tab had open in the room (`sessionStorage`: a
 * reload keeps them, another tab starts with the entry file), or the entry
 * file alone. Anything malformed reads as the default.
 */
export function readOpenTabs(store: KeyValueStore, roomKey: string): OpenTabs {
  const fallback: OpenTabs = { open: [ENTRY_FILE_ID], active: ENTRY_FILE_ID };
  let value: unknown;
  try {
    value = JSON.parse(store.getItem(keyOf(roomKey)) ?? 'null');
  } catch {
    return fallback;
  }
  if (typeof value !== 'object' || value === null) return fallback;
  const { open, active } = value as { open?: unknown; active?: unknown };
  if (!Array.isArray(open)) return fallback;
  const ids = [...new Set(open.filter((id): id is string => typeof id === 'string' && FILE_ID_PATTERN.test(id)))].slice(-MAX_TABS);
  if (ids.length === 0) return fallback;
  return { open: ids, active: typeof active === 'string' && ids.includes(active) ? active : ids[0]! };
}

/** Remembers the open tabs of a room for this browser tab. */
export function saveOpenTabs(store: KeyValueStore, roomKey: string, tabs: OpenTabs): void {
  store.setItem(keyOf(roomKey), JSON.stringify({ open: tabs.open.slice(-MAX_TABS), active: tabs.active }));
}
