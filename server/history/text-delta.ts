import * as Y from 'yjs';

/** One part of a text change, as Yjs's `YTextEvent.delta` gives it (strings only: a room's texts hold no embeds). */
export type TextDeltaPart = { retain: number } | { delete: number } | { insert: string };

/** Where the last change of a text was: an unchanged item and the number of visible characters before it. */
interface Marker {
  item: Y.Item;
  index: number;
}

/**
 * The items of texts that one change inserted and deleted, by text, found
 * from the Yjs ids it touched (no walk over a text). A transaction's come
 * from its state vectors and its delete set ({@link ChangedItems.ofTransaction});
 * a change replayed inside a larger transaction notes its own
 * (`batch-ops.ts`).
 */
export class ChangedItems {
  readonly byText = new Map<Y.AbstractType<unknown>, Set<Y.Item>>();
  private readonly added = new Set<Y.Item>();
  private readonly deleted = new Set<Y.Item>();

  /** What `transaction` did: the clocks its clients gained, and its delete set. */
  static ofTransaction(transaction: Y.Transaction): ChangedItems {
    const items = new ChangedItems();
    const store = transaction.doc.store;
    for (const [client, end] of transaction.afterState) items.collect(store, client, transaction.beforeState.get(client) ?? 0, end, true);
    for (const [client, ranges] of transaction.deleteSet.clients) {
      for (const range of ranges) items.collect(store, client, range.clock, range.clock + range.len, false);
    }
    return items;
  }

  adds(item: Y.Item): boolean {
    return this.added.has(item);
  }

  deletes(item: Y.Item): boolean {
    return this.deleted.has(item);
  }

  /** Notes the items of texts among one client's structs with clocks in `[from, end)`, as inserted or as deleted. */
  collect(store: Y.Doc['store'], client: number, from: number, end: number, inserted: boolean): void {
    const structs = store.clients.get(client);
    if (!structs || from >= end) return;
    for (let index = Y.findIndexSS(structs, from); index < structs.length && structs[index].id.clock < end; index++) {
      const struct = structs[index];
      if (!(struct instanceof Y.Item) || !(struct.parent instanceof Y.Text) || struct.parentSub !== null) continue;
      (inserted ? this.added : this.deleted).add(struct);
      const text = struct.parent as Y.AbstractType<unknown>;
      let changed = this.byText.get(text);
      if (!changed) this.byText.set(text, (changed = new Set()));
      changed.add(struct);
    }
  }
}

/**
 * The delta of a text event, computed near the change instead of over the
 * whole text. `YTextEvent.delta` walks every item of the text, deleted ones
 * included, for every transaction: replaying a long session keystroke by
 * keystroke cost O(length) per keystroke (most of the history worker's
 * time). This finds the items the transaction inserted or deleted from the
 * Yjs ids it touched, walks outward from where the previous change of the
 * same text was (typing is local) until it met all of them, and emits the
 * same parts as `event.delta` from the first to the last (a leading
 * `retain` for everything before). Falls back to `event.delta` when the
 * changed items cannot all be found in the text (never expected). Reads
 * changes replayed without events too ({@link readChange}).
 */
export class TextDeltaReader {
  private readonly markers = new WeakMap<Y.AbstractType<unknown>, Marker>();

  /** The delta of `event` (same parts as `event.delta`, without a trailing `retain`). */
  read(event: Y.YTextEvent): TextDeltaPart[] {
    return this.readChange(event.target as Y.AbstractType<unknown>, ChangedItems.ofTransaction(event.transaction)) ?? fallback(event);
  }

  /**
   * The delta of one change of `text`, from the items it inserted and
   * deleted. Call it for every change of the text, in order (the place of
   * the last one is where the next walk starts). `undefined` when the
   * changed items cannot all be found in the text (never expected).
   */
  readChange(text: Y.AbstractType<unknown>, change: ChangedItems): TextDeltaPart[] | undefined {
    const changed = change.byText.get(text);
    if (!changed || changed.size === 0) return [];
    const found = findBounds(this.validMarker(text), changed, change);
    if (!found) return undefined;
    const { first, firstIndex, last } = found;
    const delta = readParts(change, first, firstIndex, last);
    // Everything before `first` is unchanged, so its left neighbour keeps its index; `first` itself may be merged away.
    const anchor = first.left;
    if (anchor) this.markers.set(text, { item: anchor, index: firstIndex - (anchor.countable && !anchor.deleted ? anchor.length : 0) });
    else this.markers.delete(text);
    return delta;
  }

  /** The text's marker if its item is still in the text (a merge may have removed it), else the text's start. */
  private validMarker(text: Y.AbstractType<unknown>): Marker | undefined {
    const marker = this.markers.get(text);
    if (marker) {
      const { item } = marker;
      const linked = item.left ? item.left.right === item : text._start === item;
      if (linked && item.parent === text) return marker;
      this.markers.delete(text);
    }
    return text._start ? { item: text._start, index: 0 } : undefined;
  }
}

/**
 * Walks out from the marker, left and right in turn, until every changed
 * item is met: the leftmost one with its index (visible characters before
 * it, as the text was before the transaction) and the rightmost one.
 */
function findBounds(marker: Marker | undefined, changed: ReadonlySet<Y.Item>, change: ChangedItems): { first: Y.Item; firstIndex: number; last: Y.Item } | undefined {
  if (!marker) return undefined;
  let remaining = changed.size;
  // Met on the left walk: the nearest to the marker and the farthest; on the right walk likewise.
  let leftNearest: Y.Item | undefined;
  let leftFarthest: { item: Y.Item; index: number } | undefined;
  let rightNearest: { item: Y.Item; index: number } | undefined;
  let rightFarthest: Y.Item | undefined;
  let left: Y.Item | null = marker.item.left;
  let leftIndex = marker.index;
  let right: Y.Item | null = marker.item;
  let rightIndex = marker.index;
  while (remaining > 0 && (left !== null || right !== null)) {
    if (left !== null) {
      leftIndex -= visibleBefore(change, left);
      if (changed.has(left)) {
        remaining--;
        leftNearest ??= left;
        leftFarthest = { item: left, index: leftIndex };
      }
      left = left.left;
    }
    if (right !== null && remaining > 0) {
      if (changed.has(right)) {
        remaining--;
        rightNearest ??= { item: right, index: rightIndex };
        rightFarthest = right;
      }
      rightIndex += visibleBefore(change, right);
      right = right.right;
    }
  }
  if (remaining > 0) return undefined;
  const first = leftFarthest ?? rightNearest;
  const last = rightFarthest ?? leftNearest;
  if (!first || !last) return undefined;
  return { first: first.item, firstIndex: first.index, last };
}

/** Visible characters of `item` as the text was before the change. */
function visibleBefore(change: ChangedItems, item: Y.Item): number {
  if (!item.countable) return 0;
  if (change.adds(item)) return 0;
  if (item.deleted && !change.deletes(item)) return 0;
  return item.length;
}

/**
 * The delta parts of a change from `first` (at `firstIndex`) to `last`. Plain
 * loops, no closure per call: this runs once per replayed keystroke.
 */
function readParts(change: ChangedItems, first: Y.Item, firstIndex: number, last: Y.Item): TextDeltaPart[] {
  const parts = new DeltaParts();
  if (firstIndex > 0) parts.list.push({ retain: firstIndex });
  for (let item: Y.Item | null = first; item !== null; item = item.right) {
    if (item.countable) {
      const adds = change.adds(item);
      const deletes = change.deletes(item);
      if (adds) {
        if (!deletes) {
          if (parts.retain > 0 || parts.deleted > 0) parts.flush();
          parts.inserted += item.content instanceof Y.ContentString ? item.content.str : '';
        }
      } else if (deletes) {
        if (parts.retain > 0 || parts.inserted) parts.flush();
        parts.deleted += item.length;
      } else if (!item.deleted) {
        if (parts.deleted > 0 || parts.inserted) parts.flush();
        parts.retain += item.length;
      }
    }
    if (item === last) break;
  }
  // A trailing retain says nothing (Yjs drops it too).
  parts.retain = 0;
  parts.flush();
  return parts.list;
}

/** The delta being read: the finished parts, and the run in progress. */
class DeltaParts {
  readonly list: TextDeltaPart[] = [];
  retain = 0;
  deleted = 0;
  inserted = '';

  flush(): void {
    if (this.retain > 0) this.list.push({ retain: this.retain });
    if (this.deleted > 0) this.list.push({ delete: this.deleted });
    if (this.inserted) this.list.push({ insert: this.inserted });
    this.retain = 0;
    this.deleted = 0;
    this.inserted = '';
  }
}

function fallback(event: Y.YTextEvent): TextDeltaPart[] {
  const parts: TextDeltaPart[] = [];
  for (const part of event.delta) {
    if (part.retain !== undefined) parts.push({ retain: part.retain });
    else if (part.delete !== undefined) parts.push({ delete: part.delete });
    else if (typeof part.insert === 'string') parts.push({ insert: part.insert });
  }
  return parts;
}
