import type * as Y from 'yjs';

/**
 * Runs `load` with the document's `update` listeners detached. The only one
 * at load time is Hocuspocus's broadcast, and a loaded state is no change to
 * anyone: with it attached, Yjs encodes the whole state once more as the
 * event's update, and Hocuspocus then sends it to the room's first
 * connection beside that connection's own sync answer, so a client opening a
 * room after a restart downloaded and decoded it twice. (Relies on lib0's
 * `Observable` keeping listeners in `_observers`; without that the load runs
 * with them, as before.)
 */
export function applyWithoutUpdateEvents(document: Y.Doc, load: () => void): void {
  const observers = (document as unknown as { _observers?: unknown })._observers;
  const listeners = observers instanceof Map ? observers.get('update') : undefined;
  if (listeners === undefined) return load();
  (observers as Map<string, unknown>).delete('update');
  try {
    load();
  } finally {
    (observers as Map<string, unknown>).set('update', listeners);
  }
}
