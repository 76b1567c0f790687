import * as Y from 'yjs';
import { CHAT_ARRAY } from '../../shared/protocol.ts';
import { ROOT_NAMES } from '../../shared/room-layout.ts';
import { UpdateLayout } from './update-layout.ts';
import { REFUSED, resolveTarget, targetOfStored, type Target, type UpdateIndex } from './update-targets.ts';

export { measureRoom } from './room-size.ts';

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
  | { ok: true; addedBytes: number; writers: number[]; chatMessages: number }
  /** It writes outside the document layout, or content of a kind the layout has no place for. */
  | { ok: false; problem: 'layout' }
  /** It would leave the room with more than `MAX_FILES` files or `MAX_FOLDERS` folders. */
  | { ok: false; problem: 'too_many_files' }
  /** It would leave the room with more than `CHAT_MAX_LIVE` chat messages (until the server trims). */
  | { ok: false; problem: 'chat_full' }
  /**
   * Only with `appendOnly`: it writes somewhere else than the chat, or
   * deletes something the room holds live (what a viewer may not do; the
   * guard drops it, as for any viewer's edit).
   */
  | { ok: false; problem: 'read_only' }
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
type DeleteSet = ReturnType<typeof Y.decodeUpdate>['ds'];

const MALFORMED = { ok: false, problem: 'malformed' } as const;
const LAYOUT = { ok: false, problem: 'layout' } as const;
const TOO_MANY_FILES = { ok: false, problem: 'too_many_files' } as const;
const CHAT_FULL = { ok: false, problem: 'chat_full' } as const;
const READ_ONLY = { ok: false, problem: 'read_only' } as const;

/** What {@link inspectUpdate} checks beyond the layout. */
export interface InspectOptions {
  /**
   * A viewer's update: only appends to the chat, and no delete of anything
   * live (a no-op delete, as in a reconnect's sync, is fine); anything else
   * is `read_only`. Layout problems inside the chat stay `layout`.
   */
  appendOnly?: boolean;
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
 * - every new item lands where the layout has a place for it and holds
 *   what that place takes (`update-targets.ts` finds the place the way Yjs
 *   does, `update-layout.ts` checks it): plain strings in `code` and in a
 *   file's text; one string under `meta.title` / `meta.language`; a new
 *   `Y.Map` under a file id in `files`, holding a canonical `path`, a known
 *   `language` and one new `Y.Text` under `text` (the entry's record: only
 *   `path`); `true` under a canonical path in `folders`; appended messages
 *   in `chat` (`{ id, at, name, color, text }`, no right neighbour). Formats, embeds,
 *   other nested types, other keys, binary, JSON and subdocuments are
 *   refused; a record the update creates must come with its path and text;
 *   no item, seen or new, names another root type (Yjs would create it on
 *   reading);
 * - the delete set removes no live chat message (clients only append);
 * - the room holds at most `MAX_FILES` files, `MAX_FOLDERS` folders and
 *   `CHAT_MAX_LIVE` chat messages after it;
 * - `addedBytes` counts 2 bytes per UTF-16 code unit of the new content
 *   (texts, paths, languages, folder paths; deletions are not subtracted, so
 *   the count errs on the safe side).
 * Throws when the update does not decode.
 */
export function inspectUpdate(update: Uint8Array, doc: Y.Doc, options: InspectOptions = {}): UpdateVerdict {
  const appendOnly = options.appendOnly === true;
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

  const layout = new UpdateLayout();
  const writers: number[] = [];
  let index: UpdateIndex | undefined;
  for (const run of runs) {
    const client = run[0].id.client;
    const stored = Y.getState(store, client);
    const last = run[run.length - 1];
    if (last.id.clock + last.length > stored) writers.push(client);
    // (No closures here: under tsx every closure created costs a defineProperty.)
    for (const struct of run) {
      if (!(struct instanceof Y.Item)) continue; // GC: deleted content, nothing to store
      // Yjs creates a root type for every root name it reads, seen structs included.
      if (typeof struct.parent === 'string' && !ROOT_NAMES.has(struct.parent)) return appendOnly ? READ_ONLY : LAYOUT;
      if (struct.id.clock + struct.length <= stored) continue; // seen already; Yjs skips it
      const neighbour = struct.origin ?? struct.rightOrigin;
      let target: Target;
      // Typing: a neighbour the room holds.
      if (struct.parent === null && neighbour !== null && neighbour.clock < Y.getState(store, neighbour.client)) target = targetOfStored(Y.getItem(store, neighbour), doc);
      else {
        // A new type, a first character, or a batch (a reconnect's sync) that refers to itself.
        index ??= { byClient: groupByClient(runs), targets: new Map(), maxSteps: structs.length };
        target = resolveTarget(struct, doc, index);
      }
      const container = target.container;
      if (container === 'dropped') continue; // Yjs garbage-collects an item whose neighbour or parent is gone
      if (appendOnly && container !== 'chat') return READ_ONLY;
      if (target === REFUSED || container === 'refused') return LAYOUT;
      let admitted: boolean;
      if (container === 'chat') admitted = layout.admitChat(struct);
      else if (container === 'code' || container === 'fileText') admitted = layout.admitText(struct.content);
      else admitted = layout.admitEntry(target, struct.content);
      if (!admitted) return LAYOUT;
    }
  }
  if (ds.clients.size > 0) {
    const deletes = liveDeletes(ds, doc, appendOnly);
    if (deletes === 'chat') return LAYOUT;
    if (deletes === 'other') return READ_ONLY;
  }
  const problem = layout.finish(doc, ds);
  if (problem !== undefined) return problem === 'layout' ? LAYOUT : problem === 'chat_full' ? CHAT_FULL : TOO_MANY_FILES;
  return { ok: true, addedBytes: layout.addedBytes, writers, chatMessages: layout.chatMessages };
}

/**
 * Whether the delete set removes something the room holds live: 'chat'
 * for a chat message (refused for everyone), 'other' for anything else
 * when `everything` (a viewer's update), else undefined. Ranges past what
 * the room holds delete the update's own new items: nothing anyone saw.
 * Without a live message in the room and for an editor, no walk at all;
 * otherwise O(ranges × log structs + the structs the ranges cover), the
 * work Yjs does to apply them anyway.
 */
function liveDeletes(ds: DeleteSet, doc: Y.Doc, everything: boolean): 'chat' | 'other' | undefined {
  const chat = doc.share.get(CHAT_ARRAY);
  const chatLive = chat !== undefined && chat._length > 0;
  if (!chatLive && !everything) return undefined;
  const store = doc.store;
  for (const [client, ranges] of ds.clients) {
    const structs = store.clients.get(client);
    if (structs === undefined) continue;
    const stored = Y.getState(store, client);
    for (const { clock, len } of ranges) {
      const end = Math.min(clock + len, stored);
      if (clock >= end) continue;
      for (let i = Y.findIndexSS(structs, clock); i < structs.length && structs[i].id.clock < end; i++) {
        const struct = structs[i];
        if (!(struct instanceof Y.Item) || struct.deleted) continue;
        if (chatLive && struct.parent === chat) return 'chat';
        if (everything) return 'other';
      }
    }
  }
  return undefined;
}

/** {@link inspectUpdate}, with an update that does not decode (or trips Yjs's decoder) refused as malformed: never throws. */
export function checkUpdate(update: Uint8Array, doc: Y.Doc, options?: InspectOptions): UpdateVerdict {
  try {
    return inspectUpdate(update, doc, options);
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
  // A nested type's parent (Yjs looks it up for seen structs too).
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

function groupByClient(runs: Struct[][]): Map<number, Struct[]> {
  const byClient = new Map<number, Struct[]>();
  for (const run of runs) byClient.set(run[0].id.client, run);
  return byClient;
}

