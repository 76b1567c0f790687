/** A map that forgets its least recently used entry beyond `capacity` entries. */
export interface LruCache<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): void;
  delete(key: K): void;
  /** The most recently used entry, without touching it. */
  newest(): [K, V] | undefined;
  readonly size: number;
}

/** Creates an LRU cache holding at most `capacity` entries. */
export function createLruCache<K, V>(capacity: number): LruCache<K, V> {
  const entries = new Map<K, V>();
  return {
    get(key) {
      const value = entries.get(key);
      if (value !== undefined) {
        // Map keeps insertion order: re-inserting marks the entry as the newest.
        entries.delete(key);
        entries.set(key, value);
      }
      return value;
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, value);
      if (entries.size > capacity) entries.delete(entries.keys().next().value as K);
    },
    delete(key) {
      entries.delete(key);
    },
    newest() {
      let last: [K, V] | undefined;
      for (const entry of entries) last = entry;
      return last;
    },
    get size() {
      return entries.size;
    },
  };
}
