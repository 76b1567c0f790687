/**
 * The part of the Web Storage API the client uses. Pure modules take it as a
 * parameter so tests can pass a Map-backed store instead of `localStorage`.
 */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** A store kept in memory only: used when `localStorage` is unavailable or blocked. */
export function createMemoryStore(): KeyValueStore {
  const values = new Map<string, string>();
  return {
    getItem: (key) => values.get(key) ?? null,
    setItem: (key, value) => void values.set(key, value),
    removeItem: (key) => void values.delete(key),
  };
}

/**
 * Wraps a store so that a failing one (private browsing, quota, storage
 * disabled by policy) degrades to memory instead of throwing into the UI.
 */
export function createSafeStore(open: () => KeyValueStore): KeyValueStore {
  const fallback = createMemoryStore();
  let store: KeyValueStore;
  try {
    store = open();
  } catch {
    return fallback;
  }
  return {
    getItem(key) {
      try {
        return store.getItem(key) ?? fallback.getItem(key);
      } catch {
        return fallback.getItem(key);
      }
    },
    setItem(key, value) {
      fallback.setItem(key, value);
      try {
        store.setItem(key, value);
      } catch {
        // Quota exceeded or storage disabled: the memory copy keeps this tab working.
      }
    },
    removeItem(key) {
      fallback.removeItem(key);
      try {
        store.removeItem(key);
      } catch {
        // Same as above.
      }
    },
  };
}
