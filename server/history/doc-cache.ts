import type * as Y from 'yjs';
import { estimateDocBytes } from './doc-size.ts';

/**
 * Room documents the history worker keeps between tasks, one per room, with
 * what their user needs to know of each: at most `rooms` of them and
 * `bytes` of their estimated heap ({@link estimateDocBytes}); the least
 * recently kept go first. A few long rooms typed all over weigh hundreds of
 * MB, so a count alone does not bound it.
 */
export class RoomDocCache<Meta> {
  private readonly entries = new Map<string, { doc: Y.Doc; meta: Meta; bytes: number }>();
  private bytes = 0;

  constructor(private readonly limits: { rooms: number; bytes: number }) {}

  /** The room's entry, left in the cache. */
  peek(roomId: string): { doc: Y.Doc; meta: Meta } | undefined {
    return this.entries.get(roomId);
  }

  /** The room's entry, taken out of the cache (the caller keeps it again or destroys its document). */
  take(roomId: string): { doc: Y.Doc; meta: Meta } | undefined {
    const entry = this.entries.get(roomId);
    if (entry) this.remove(roomId);
    return entry;
  }

  /** Destroys the room's document, if one is kept. */
  drop(roomId: string): void {
    this.entries.get(roomId)?.doc.destroy();
    this.remove(roomId);
  }

  /**
   * Keeps `doc` as the room's (destroying the one it replaces), evicting the
   * oldest rooms to stay within the limits. False, and nothing kept, when it
   * alone is over the bytes: the caller still owns it.
   */
  keep(roomId: string, doc: Y.Doc, meta: Meta): boolean {
    if (this.entries.get(roomId)?.doc === doc) this.remove(roomId);
    else this.drop(roomId);
    const bytes = estimateDocBytes(doc);
    if (bytes > this.limits.bytes) return false;
    this.entries.set(roomId, { doc, meta, bytes });
    this.bytes += bytes;
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.limits.rooms && this.bytes <= this.limits.bytes) break;
      this.drop(oldest);
    }
    return true;
  }

  private remove(roomId: string): void {
    const entry = this.entries.get(roomId);
    if (!entry) return;
    this.entries.delete(roomId);
    this.bytes -= entry.bytes;
  }
}
