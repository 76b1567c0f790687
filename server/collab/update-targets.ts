import * as Y from 'yjs';
import { CHAT_ARRAY, CODE_TEXT, ENTRY_FILE_ID, FILE_TEXT, FILES_MAP, FOLDERS_MAP, META_MAP } from '../../shared/protocol.ts';
import { isExactly, isFileId } from '../../shared/room-layout.ts';

/**
 * Where a new item of an update lands in the room layout (`shared/protocol.ts`),
 * decided the way Yjs decides it (`Item.getMissing`): from its parent when it
 * carries one (a root's name, or the id of the item holding a nested type),
 * else from its origin's (else its right origin's) parent and key. Parents
 * and neighbours are looked up in the room, else in the update itself.
 */

/** A file record: a `Y.Map` in `files`. */
export interface RecordContainer {
  kind: 'record';
  /** The entry's record (`files.code`): only `path`. */
  entry: boolean;
  /** The record's `Y.Map` when the room holds it; undefined for one the update creates. */
  stored: Y.Map<unknown> | undefined;
  /** The same object for every item of one record (the stored map, or the new item's type). */
  identity: object;
}

/** The type an item sits in. */
export type Container =
  | 'code'
  | 'fileText'
  | 'meta'
  | 'files'
  | 'folders'
  /** The chat array: messages, appended. */
  | 'chat'
  | RecordContainer
  /** Yjs garbage-collects the item (a neighbour or parent is gone). */
  | 'dropped'
  /** Anywhere the layout has no place for (another nested type, no place at all, a cycle). */
  | 'refused';

/** Where an item lands: its type and its key (null in a text). */
export interface Target {
  container: Container;
  key: string | null;
}

export const CODE_TARGET: Target = Object.freeze({ container: 'code', key: null });
export const FILE_TEXT_TARGET: Target = Object.freeze({ container: 'fileText', key: null });
export const CHAT_TARGET: Target = Object.freeze({ container: 'chat', key: null });
export const DROPPED: Target = Object.freeze({ container: 'dropped', key: null });
export const REFUSED: Target = Object.freeze({ container: 'refused', key: null });

/** Structs per client of the update (one run each), and the targets found so far. */
export interface UpdateIndex {
  byClient: Map<number, (Y.Item | Y.GC | Y.Skip)[]>;
  targets: Map<Y.Item, Target>;
  /** Bounds a chain of origins (a cycle otherwise). */
  maxSteps: number;
}

/** Nested types go no deeper than `files` → record → text. */
const MAX_NESTING = 3;

/** The target of an item whose place is given by its parent (root name or type item id) and key. */
function targetOfParent(parent: string | Y.ID, key: string | null, doc: Y.Doc, index: UpdateIndex | undefined, depth: number): Target {
  const container = typeof parent === 'string' ? containerOfRoot(parent) : containerAt(parent, doc, index, depth);
  return targetIn(container, key);
}

function targetIn(container: Container, key: string | null): Target {
  if (key === null) {
    if (container === 'code') return CODE_TARGET;
    if (container === 'fileText') return FILE_TEXT_TARGET;
    if (container === 'chat') return CHAT_TARGET;
    if (container === 'dropped') return DROPPED;
    return REFUSED; // a map entry needs a key
  }
  if (container === 'dropped') return DROPPED;
  // Text attributes, or a key in an array.
  if (container === 'refused' || container === 'code' || container === 'fileText' || container === 'chat') return REFUSED;
  return { container, key };
}

function containerOfRoot(name: string): Container {
  switch (name) {
    case CODE_TEXT:
      return 'code';
    case META_MAP:
      return 'meta';
    case FILES_MAP:
      return 'files';
    case FOLDERS_MAP:
      return 'folders';
    case CHAT_ARRAY:
      return 'chat';
    default:
      return 'refused';
  }
}

/** The container a nested type is, given the id of the item that holds it. */
function containerAt(id: Y.ID, doc: Y.Doc, index: UpdateIndex | undefined, depth: number): Container {
  if (depth > MAX_NESTING) return 'refused';
  if (id.clock < Y.getState(doc.store, id.client)) {
    const holder = Y.getItem(doc.store, id);
    if (!(holder instanceof Y.Item)) return 'dropped';
    // Yjs takes the type of the item the id points into; only a type item is a parent.
    if (!(holder.content instanceof Y.ContentType) || holder.id.clock !== id.clock) return 'refused';
    return containerOfStoredType(holder.content.type, doc);
  }
  if (index === undefined) return 'refused';
  // The dependency replay checked that the update holds it.
  const list = index.byClient.get(id.client);
  const holder = list?.[Y.findIndexSS(list as Y.Item[], id.clock)];
  if (!(holder instanceof Y.Item)) return holder instanceof Y.GC ? 'dropped' : 'refused';
  if (!(holder.content instanceof Y.ContentType) || holder.id.clock !== id.clock) return 'refused';
  return containerOfNewType(holder, resolveTarget(holder, doc, index, depth + 1));
}

/** What a type the room holds is in the layout. */
export function containerOfStoredType(type: Y.AbstractType<unknown> | null, doc: Y.Doc): Container {
  if (type === null) return 'refused';
  const holder = type._item;
  if (holder === null) {
    // A root: its name is its key in doc.share (five lookups, no scan).
    if (type === doc.share.get(CODE_TEXT)) return 'code';
    if (type === doc.share.get(META_MAP)) return 'meta';
    if (type === doc.share.get(FILES_MAP)) return 'files';
    if (type === doc.share.get(FOLDERS_MAP)) return 'folders';
    if (type === doc.share.get(CHAT_ARRAY)) return 'chat';
    return 'refused';
  }
  const parent = holder.parent as Y.AbstractType<unknown> | null;
  if (parent === null || holder.parentSub === null) return 'refused';
  if (parent._item === null) {
    if (parent !== doc.share.get(FILES_MAP) || !isExactly(type, Y.Map) || !isFileId(holder.parentSub)) return 'refused';
    return { kind: 'record', entry: holder.parentSub === ENTRY_FILE_ID, stored: type as Y.Map<unknown>, identity: type };
  }
  // A file's text: under `text` of a record in `files`.
  const record = parent._item;
  if (holder.parentSub === FILE_TEXT && isExactly(type, Y.Text) && record.parent === doc.share.get(FILES_MAP) && record.parentSub !== ENTRY_FILE_ID) return 'fileText';
  return 'refused';
}

/** What a type an update creates is, given where its item lands. */
function containerOfNewType(holder: Y.Item, target: Target): Container {
  const type = (holder.content as Y.ContentType).type;
  const { container, key } = target;
  if (container === 'files' && key !== null && isFileId(key) && isExactly(type, Y.Map)) {
    return { kind: 'record', entry: key === ENTRY_FILE_ID, stored: undefined, identity: type };
  }
  if (typeof container === 'object' && !container.entry && key === FILE_TEXT && isExactly(type, Y.Text)) return 'fileText';
  return container === 'dropped' ? 'dropped' : 'refused';
}

/** Where a neighbour the room holds is; typing lands here (no allocation for a text). */
export function targetOfStored(struct: Y.Item | Y.GC, doc: Y.Doc): Target {
  if (!(struct instanceof Y.Item)) return DROPPED;
  const parent = struct.parent as Y.AbstractType<unknown> | null;
  if (parent === doc.share.get(CODE_TEXT)) return struct.parentSub === null ? CODE_TARGET : REFUSED;
  return targetIn(containerOfStoredType(parent, doc), struct.parentSub);
}

/**
 * Where a new item of the update lands. Typing (a neighbour the room holds)
 * costs one lookup; only a batch that refers to itself follows chains,
 * iteratively, caching what it found in `index.targets`.
 */
export function resolveTarget(item: Y.Item, doc: Y.Doc, index: UpdateIndex | undefined, depth = 0): Target {
  if (item.parent !== null) return targetOfParent(item.parent as string | Y.ID, item.parentSub, doc, index, depth);
  const neighbour = item.origin ?? item.rightOrigin;
  if (neighbour === null) return REFUSED; // no place at all
  if (neighbour.clock < Y.getState(doc.store, neighbour.client)) return targetOfStored(Y.getItem(doc.store, neighbour), doc);
  if (index === undefined) return REFUSED;
  const chain: Y.Item[] = [];
  let current: Y.Item = item;
  let target: Target | undefined;
  while (target === undefined) {
    const cached = index.targets.get(current);
    if (cached !== undefined) {
      target = cached;
      break;
    }
    chain.push(current);
    const id = current.origin ?? current.rightOrigin;
    if (current.parent !== null) target = targetOfParent(current.parent as string | Y.ID, current.parentSub, doc, index, depth);
    else if (id === null || chain.length > index.maxSteps) target = REFUSED; // placeless, or a cycle
    else if (id.clock < Y.getState(doc.store, id.client)) target = targetOfStored(Y.getItem(doc.store, id), doc);
    else {
      // The dependency replay checked that the update holds it.
      const list = index.byClient.get(id.client)!;
      const next = list[Y.findIndexSS(list as Y.Item[], id.clock)];
      if (next instanceof Y.GC) target = DROPPED;
      else if (next instanceof Y.Item) current = next;
      else target = REFUSED;
    }
  }
  for (const link of chain) index.targets.set(link, target);
  return target;
}
