import type { Awareness } from 'y-protocols/awareness';
import { AWARENESS_FILE, FILE_ID_PATTERN } from '../../shared/protocol.ts';
import { listPeers, type Peer } from '../presence/peers.ts';

/** Who is in which file, from awareness (`file` field, see `shared/protocol.ts`). */
export interface FilePresence {
  /** Publishes the file this tab shows. */
  setOwnFile(fileId: string): void;
  /** File id → the other people in it (this tab left out). */
  readonly byFile: ReadonlyMap<string, readonly Peer[]>;
  /** The file each client is in (this tab included), by awareness client id. */
  readonly fileOf: ReadonlyMap<number, string>;
  /** Calls `listener` when someone changes file, arrives or leaves (not on cursor moves). */
  subscribe(listener: () => void): () => void;
  destroy(): void;
}

/**
 * Tracks the `file` field of every awareness state. Cursor moves fire
 * awareness changes on every keystroke of everyone; listeners are only
 * called when the file of someone changed, so the tree is not redrawn
 * while people type.
 */
export function trackFilePresence(awareness: Awareness): FilePresence {
  const listeners = new Set<() => void>();
  let byFile = new Map<string, Peer[]>();
  let fileOf = new Map<number, string>();
  let signature = '';

  const read = () => {
    const nextByFile = new Map<string, Peer[]>();
    const nextFileOf = new Map<number, string>();
    const states = awareness.getStates();
    for (const peer of listPeers(states, awareness.clientID)) {
      const file = (states.get(peer.clientId) as Record<string, unknown> | undefined)?.[AWARENESS_FILE];
      if (typeof file !== 'string' || !FILE_ID_PATTERN.test(file)) continue;
      nextFileOf.set(peer.clientId, file);
      if (peer.isSelf) continue;
      (nextByFile.get(file) ?? nextByFile.set(file, []).get(file)!).push(peer);
    }
    const next = [...nextFileOf].map(([client, file]) => {
      const peer = [...nextByFile.get(file) ?? []].find((candidate) => candidate.clientId === client);
      return `${client}:${file}:${peer?.name ?? ''}:${peer?.color ?? ''}`;
    }).join('\n');
    if (next === signature) return false;
    signature = next;
    byFile = nextByFile;
    fileOf = nextFileOf;
    return true;
  };
  const onChange = () => {
    if (read()) for (const listener of listeners) listener();
  };
  read();
  awareness.on('change', onChange);
  return {
    setOwnFile(fileId) {
      const local = awareness.getLocalState();
      if (local === null || local[AWARENESS_FILE] === fileId) return;
      // The cursor was in the other file's text; the new one is published on the first selection.
      awareness.setLocalState({ ...local, [AWARENESS_FILE]: fileId, cursor: null });
    },
    get byFile() {
      return byFile;
    },
    get fileOf() {
      return fileOf;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    destroy() {
      awareness.off('change', onChange);
      listeners.clear();
    },
  };
}
