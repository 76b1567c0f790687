import * as Y from 'yjs';
import { CODE_TEXT, MAX_TITLE_LENGTH, META_LANGUAGE, META_MAP, META_TITLE } from '../../shared/protocol.ts';

/** Keys `meta` may hold, with the longest string each may be (characters). */
const META_KEYS: ReadonlyMap<string, number> = new Map([
  [META_TITLE, MAX_TITLE_LENGTH],
  [META_LANGUAGE, 32],
]);
/** Bytes the meta strings can take at most ({@link measureRoom}). */
export const MAX_META_BYTES = 2 * (MAX_TITLE_LENGTH + 32);

/** A struct of `client` at `clock` that an update needs and the room does not hold yet. */
export interface Dependency {
  client: number;
  clock: number;
}

/** What {@link inspectUpdate} found. */
export type UpdateVerdict =
  /**
   * It fits the layout and applies completely; `addedBytes` is what it may
   * add to {@link measureRoom}; `writers` are the client ids it writes new
   * structs under (usually one).
   */
  | { ok: true; addedBytes: number; writers: number[] }
  /** It writes outside the document layout, or content of a kind the layout has no place for. */
  | { ok: false; problem: 'layout' }
  /**
   * It refers to structs the room does not hold (Yjs would keep it pending,
   * or a pending delete, without bound); `waitingFor` is one of them: only
   * once the room holds it can the verdict change. `writers` are the
   * client ids the update has structs under.
   */
  | { ok: false; problem: 'missing_dependencies'; waitingFor: Dependency; writers: number[] }
  /** It is not something any Yjs client sends (Skip structs, a client in two blocks, an origin ahead of its own item). */
  | { ok: false; problem: 'malformed' };

type Struct = Y.Item | Y.GC | Y.Skip;
type Target = typeof CODE_TEXT | typeof META_TITLE | typeof META_LANGUAGE | 'dropped' | 'refused';

const MALFORMED = { ok: false, problem: 'malformed' } as const;
const LAYOUT = { ok: false, problem: 'layout' } as const;

/**
 * The size of a room, in bytes: 2 per UTF-16 code unit of the code, the
 * title and the language. O(1): Yjs keeps the length of a text.
 */
export function measureRoom(doc: Y.Doc): number {
  const meta = doc.getMap(META_MAP);
  const title = meta.get(META_TITLE);
  const language = meta.get(META_LANGUAGE);
  return 2 * (doc.getText(CODE_TEXT).length + (typeof title === 'string' ? title.length : 0) + (typeof language === 'string' ? language.length : 0));
}

/**
 * Checks a (V1) update against what `doc` holds, without applying it. It is
 * accepted only when `Y.applyUpdate` would integrate all of it, leaving the
 * room with no pending structs and no pending delete set (the guard's
 * invariant, see `shared/protocol.ts`), and only inside the layout:
 * - every struct (seen or new: Yjs resolves the neighbours of both) refers
 *   only to structs the room holds or the update brings, in an order Yjs
 *   can integrate; a client's structs form one run that starts within what
 *   the room holds of that client;
 * - every range of the delete set (all of them, in any order) lies within
 *   what the room and the update hold of its client;
 * - every new item belongs to `code` (strings only) or to `meta` (`title`
 *   and `language`, one string each, within their lengths); nested types,
 *   embeds, formats, binary, JSON and subdocuments are refused; no item,
 *   seen or new, names another root type (Yjs would create it on reading);
 * - `addedBytes` counts 2 bytes per UTF-16 code unit of the new content
 *   (deletions are not subtracted, so the count errs on the safe side).
 * Throws when the update does not decode.
 */
export function inspectUpdate(update: Uint8Array, doc: Y.Doc): UpdateVerdict {
  const { structs, ds } = Y.decodeUpdate(update);
  const store = doc.store;
  // Struct runs by client (decodeUpdate yields each client's block in clock order).
  const runs = splitRuns(structs, store);
  if (runs === undefined) return MALFORMED;
  if (!Array.isArray(runs)) return { ok: false, problem: 'missing_dependencies', waitingFor: runs.missing, writers: runs.clients };
  // What the room will hold of each client once the structs that can integrate did.
  const available = new Map<number, number>();
  const blocked = integrate(runs, store, available);
  if (blocked === 'malformed') return MALFORMED;
  if (blocked !== undefined) return { ok: false, problem: 'missing_dependencies', waitingFor: blocked, writers: clientsOf(runs) };

  for (const [client, deletes] of ds.clients) {
    const end = availableOf(available, store, client);
    for (const { clock, len } of deletes) {
      // A range at or past the end (even an empty one) stays pending in Yjs.
      if (clock >= end || clock + len > end) {
        return { ok: false, problem: 'missing_dependencies', waitingFor: { client, clock: Math.max(clock, clock + len - 1) }, writers: clientsOf(runs) };
      }
    }
  }

  let addedBytes = 0;
  const writers: number[] = [];
  let byClient: Map<number, Struct[]> | undefined;
  let targets: Map<Y.Item, Target> | undefined;
  for (const run of runs) {
    const client = run[0].id.client;
    const stored = Y.getState(store, client);
    const last = run[run.length - 1];
    if (last.id.clock + last.length > stored) writers.push(client);
    // (No closures here: under tsx every closure created costs a defineProperty.)
    for (const struct of run) {
      if (!(struct instanceof Y.Item)) continue; // GC: deleted content, nothing to store
      // Yjs creates a root type for every root name it reads, seen structs included.
      if (typeof struct.parent === 'string' && struct.parent !== CODE_TEXT && struct.parent !== META_MAP) return LAYOUT;
      if (struct.id.clock + struct.length <= stored) continue; // seen already; Yjs skips it
      const neighbour = struct.origin ?? struct.rightOrigin;
      let target: Target;
      if (typeof struct.parent === 'string') target = targetOfRoot(struct.parent, struct.parentSub);
      else if (struct.parent !== null || neighbour === null) target = 'refused'; // a nested type (the layout has none), or no place at all
      else if (neighbour.clock < Y.getState(store, neighbour.client)) target = targetOfStored(Y.getItem(store, neighbour), doc);
      else {
        // Typing is the case above; only a batch (a reconnect's sync) refers to itself.
        byClient ??= groupByClient(runs);
        targets ??= new Map();
        target = resolveTarget(struct, doc, byClient, targets, structs.length);
      }
      const content = struct.content;
      switch (target) {
        case 'dropped':
          continue; // Yjs garbage-collects an item whose neighbour is gone
        case 'refused':
          return LAYOUT;
        case CODE_TEXT:
          if (content instanceof Y.ContentString) addedBytes += 2 * content.str.length;
          else if (!(content instanceof Y.ContentDeleted)) return LAYOUT;
          break;
        default: {
          if (content instanceof Y.ContentDeleted) break;
          const value = content instanceof Y.ContentAny && content.arr.length === 1 ? content.arr[0] : undefined;
          if (typeof value !== 'string' || value.length > META_KEYS.get(target)!) return LAYOUT;
          addedBytes += 2 * value.length;
        }
      }
    }
  }
  return { ok: true, addedBytes, writers };
}

/** {@link inspectUpdate}, with an update that does not decode (or trips Yjs's decoder) refused as malformed: never throws. */
export function checkUpdate(update: Uint8Array, doc: Y.Doc): UpdateVerdict {
  try {
    return inspectUpdate(update, doc);
  } catch {
    return MALFORMED;
  }
}

/**
 * The update's structs as one run per client, or `undefined` when they are
 * not what a Yjs client sends (Skip structs, a client in two blocks), or the
 * dependency the first run that starts past the room's state waits for.
 */
function splitRuns(structs: Struct[], store: Y.Doc['store']): Struct[][] | { missing: Dependency; clients: number[] } | undefined {
  const runs: Struct[][] = [];
  let run: Struct[] | undefined;
  for (const struct of structs) {
    if (struct instanceof Y.Skip) return undefined;
    if (run !== undefined && run[0].id.client === struct.id.client) {
      const previous = run[run.length - 1];
      // A block's clocks follow on; a jump is a second block of the client (Yjs would keep only that one).
      if (struct.id.clock !== previous.id.clock + previous.length) return undefined;
      run.push(struct);
      continue;
    }
    run = [struct];
    runs.push(run);
  }
  if (runs.length > 1) {
    const clients = new Set<number>();
    for (const { 0: first } of runs) {
      if (clients.has(first.id.client)) return undefined;
      clients.add(first.id.client);
    }
  }
  for (const { 0: first } of runs) {
    const state = Y.getState(store, first.id.client);
    if (first.id.clock > state) return { missing: { client: first.id.client, clock: state }, clients: clientsOf(runs) };
  }
  return runs;
}

/**
 * Replays Yjs's integration of `runs` on clocks alone: a struct integrates
 * once the room holds its origin and right origin (Yjs resolves them for
 * seen structs too). Fills `available` with each client's end and returns
 * undefined when everything integrates; else a dependency nothing in the
 * update provides (or a cycle), or 'malformed' for an origin ahead of its
 * own item (Yjs would throw halfway through the transaction).
 */
function integrate(runs: Struct[][], store: Y.Doc['store'], available: Map<number, number>): Dependency | 'malformed' | undefined {
  for (const run of runs) available.set(run[0].id.client, Y.getState(store, run[0].id.client));
  if (runs.length === 1) {
    // Typing: one client; nothing in the update can unblock it.
    const run = runs[0];
    for (let i = 0; i < run.length; i++) {
      const missing = missingOf(run[i], available, store);
      if (missing !== undefined) return missing;
      advance(run[i], available);
    }
    return undefined;
  }
  const next = new Array<number>(runs.length).fill(0);
  let remaining = 0;
  for (const run of runs) remaining += run.length;
  let firstMissing: Dependency | 'malformed' | undefined;
  while (remaining > 0) {
    let progressed = false;
    firstMissing = undefined;
    for (let r = 0; r < runs.length; r++) {
      const run = runs[r];
      while (next[r] < run.length) {
        const missing = missingOf(run[next[r]], available, store);
        if (missing === 'malformed') return missing;
        if (missing !== undefined) {
          firstMissing ??= missing;
          break;
        }
        advance(run[next[r]], available);
        next[r]++;
        remaining--;
        progressed = true;
      }
    }
    if (!progressed) return firstMissing;
  }
  return undefined;
}

function clientsOf(runs: Struct[][]): number[] {
  return runs.map((run) => run[0].id.client);
}

function advance(struct: Struct, available: Map<number, number>): void {
  const end = struct.id.clock + struct.length;
  if (end > available.get(struct.id.client)!) available.set(struct.id.client, end);
}

/** The first neighbour of `struct` not available yet, if any. */
function missingOf(struct: Struct, available: Map<number, number>, store: Y.Doc['store']): Dependency | 'malformed' | undefined {
  if (!(struct instanceof Y.Item)) return undefined;
  const { origin, rightOrigin, parent } = struct;
  if (origin !== null) {
    const missing = missingId(struct, origin, available, store);
    if (missing !== undefined) return missing;
  }
  if (rightOrigin !== null) {
    const missing = missingId(struct, rightOrigin, available, store);
    if (missing !== undefined) return missing;
  }
  // A nested type's parent (refused as layout when new, but Yjs looks it up for seen structs too).
  return parent instanceof Y.ID ? missingId(struct, parent, available, store) : undefined;
}

function missingId(item: Y.Item, id: Y.ID, available: Map<number, number>, store: Y.Doc['store']): Dependency | 'malformed' | undefined {
  if (id.clock < availableOf(available, store, id.client)) return undefined;
  // Yjs does not wait for its own client's structs: it would throw.
  return id.client === item.id.client ? 'malformed' : { client: id.client, clock: id.clock };
}

function availableOf(available: Map<number, number>, store: Y.Doc['store'], client: number): number {
  return available.get(client) ?? Y.getState(store, client);
}

function targetOfRoot(root: string, key: string | null): Target {
  if (root === CODE_TEXT) return key === null ? CODE_TEXT : 'refused';
  if (root === META_MAP && key !== null && META_KEYS.has(key)) return key as Target;
  return 'refused';
}

function groupByClient(runs: Struct[][]): Map<number, Struct[]> {
  const byClient = new Map<number, Struct[]>();
  for (const run of runs) byClient.set(run[0].id.client, run);
  return byClient;
}

/**
 * Where an item without parent info lands: where its origin (else its right
 * origin) is, as Yjs decides in `Item.getMissing`. The origin is looked up in
 * the room, else in the update, following chains iteratively.
 */
function resolveTarget(item: Y.Item, doc: Y.Doc, byClient: Map<number, Struct[]>, targets: Map<Y.Item, Target>, maxSteps: number): Target {
  const chain: Y.Item[] = [];
  let current: Y.Item = item;
  let target: Target | undefined;
  while (target === undefined) {
    const cached = targets.get(current);
    if (cached !== undefined) {
      target = cached;
      break;
    }
    chain.push(current);
    const id = current.origin ?? current.rightOrigin;
    if (typeof current.parent === 'string') target = targetOfRoot(current.parent, current.parentSub);
    else if (current.parent !== null || id === null || chain.length > maxSteps) target = 'refused'; // nested, placeless, or a cycle
    else if (id.clock < Y.getState(doc.store, id.client)) target = targetOfStored(Y.getItem(doc.store, id), doc);
    else {
      // integrate() checked that the id is in the update.
      const list = byClient.get(id.client)!;
      const next = list[Y.findIndexSS(list as Y.Item[], id.clock)];
      if (next instanceof Y.GC) target = 'dropped';
      else if (next instanceof Y.Item) current = next;
      else target = 'refused';
    }
  }
  for (const link of chain) targets.set(link, target);
  return target;
}

function targetOfStored(struct: Y.Item | Y.GC, doc: Y.Doc): Target {
  if (!(struct instanceof Y.Item)) return 'dropped';
  if (struct.parent === doc.share.get(CODE_TEXT)) return struct.parentSub === null ? CODE_TEXT : 'refused';
  if (struct.parent === doc.share.get(META_MAP)) return targetOfRoot(META_MAP, struct.parentSub);
  return 'refused';
}
