import type { beforeHandleAwarenessPayload, beforeHandleMessagePayload, Connection, Extension } from '@hocuspocus/server';
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { CloseCode, CloseReason, CODE_TEXT, MAX_TITLE_LENGTH, META_LANGUAGE, META_MAP, META_TITLE } from '../../shared/protocol.ts';
import type { Metrics } from '../metrics.ts';
import type { ConnectionContext } from './connection-context.ts';
import { MessageType } from './hocuspocus-wire.ts';

const SYNC_STEP_1 = 0;
/** Largest awareness state of one client, as JSON (cursor, selection and user fit in well under 1 KiB). */
export const MAX_AWARENESS_STATE_CHARS = 8 * 1024;
/** Awareness client ids one connection may own (a provider has one; a few allow for reconnects). */
const MAX_CLIENTS_PER_CONNECTION = 4;
/** Keys `meta` may hold, with the longest string each may be (characters). */
const META_KEYS: ReadonlyMap<string, number> = new Map([
  [META_TITLE, MAX_TITLE_LENGTH],
  [META_LANGUAGE, 32],
]);
/** Bytes the meta strings can take at most ({@link measureRoom}). */
const MAX_META_BYTES = 2 * (MAX_TITLE_LENGTH + 32);

/** Limits of what one connection may send. */
export interface MessageLimits {
  /**
   * Largest size a room may reach, in bytes (`MAX_DOCUMENT_BYTES`): 2 bytes
   * per UTF-16 code unit of the code and of the `meta` strings (see
   * {@link measureRoom}).
   */
  maxDocumentChars: number;
  /** Messages a connection may send per second on average; bursts of twice that pass. 0 = no limit. */
  maxMessagesPerSecond: number;
}

/** Why an update is refused before it is applied. */
export type UpdateVerdict =
  /** It fits the layout; `addedBytes` is what it may add to {@link measureRoom}. */
  | { ok: true; addedBytes: number }
  /** It writes outside the document layout, or content of a kind the layout has no place for. */
  | { ok: false; problem: 'layout' }
  /** It refers to structs the room never saw (Yjs would hold it as pending, without bound). */
  | { ok: false; problem: 'missing_dependencies' };

type Target = typeof CODE_TEXT | typeof META_TITLE | typeof META_LANGUAGE | 'dropped' | 'refused';

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
 * Checks a (V1) update against the room layout and against what `doc`
 * already holds, without applying it:
 * - every new struct belongs to `code` (strings only) or to `meta`
 *   (`title` and `language`, one string each, within their lengths);
 *   nested types, embeds, formats, binary, JSON and subdocuments are refused;
 * - everything it refers to (origins, its own earlier clocks, deleted
 *   ranges) is in the room or in the update itself;
 * - `addedBytes` counts 2 bytes per UTF-16 code unit of the new content
 *   (deletions are not subtracted, so the count only errs on the safe side).
 * Throws when the update does not decode.
 */
export function inspectUpdate(update: Uint8Array, doc: Y.Doc): UpdateVerdict {
  const { structs, ds } = Y.decodeUpdate(update);
  const store = doc.store;
  // Where each client's run of structs in this update ends: the first client
  // in scalars (typing has one), any others in a map.
  const runs: Runs = { firstClient: -1, firstEnd: 0, others: undefined };
  let lastClient = -1;
  let lastEnd = 0;
  let byClient: Map<number, (Y.Item | Y.GC | Y.Skip)[]> | undefined;
  let targets: Map<Y.Item, Target> | undefined;
  // (No closures here: under tsx every closure created costs a defineProperty.)
  for (const struct of structs) {
    const { client, clock } = struct.id;
    if (client !== lastClient) {
      // A client's structs come in one run, in clock order; the run must start where the room's state ends.
      if (client === runs.firstClient || runs.others?.has(client) || clock > Y.getState(store, client)) return { ok: false, problem: 'missing_dependencies' };
      if (runs.firstClient === -1) runs.firstClient = client;
      else runs.others ??= new Map();
      lastClient = client;
    } else if (clock !== lastEnd) {
      return { ok: false, problem: 'missing_dependencies' };
    }
    lastEnd = clock + struct.length;
    if (client === runs.firstClient) runs.firstEnd = lastEnd;
    else runs.others!.set(client, lastEnd);
  }

  let addedBytes = 0;
  for (const struct of structs) {
    if (struct instanceof Y.Skip) return { ok: false, problem: 'missing_dependencies' };
    if (!(struct instanceof Y.Item)) continue; // GC: deleted content, nothing to store
    if (struct.id.clock + struct.length <= Y.getState(store, struct.id.client)) continue; // seen already; Yjs skips it
    const { origin, rightOrigin } = struct;
    if (origin !== null && !isKnown(store, runs, origin.client, origin.clock)) return { ok: false, problem: 'missing_dependencies' };
    if (rightOrigin !== null && !isKnown(store, runs, rightOrigin.client, rightOrigin.clock)) return { ok: false, problem: 'missing_dependencies' };
    const neighbour = origin ?? rightOrigin;
    let target: Target;
    if (typeof struct.parent === 'string') target = targetOfRoot(struct.parent, struct.parentSub);
    else if (struct.parent !== null || neighbour === null) target = 'refused'; // a nested type (the layout has none), or no place at all
    else if (neighbour.clock < Y.getState(store, neighbour.client)) target = targetOfStored(Y.getItem(store, neighbour), doc);
    else {
      // Typing is the case above; only a batch (a reconnect's sync) refers to itself.
      byClient ??= groupByClient(structs);
      targets ??= new Map();
      target = resolveTarget(struct, doc, byClient, targets, structs.length);
    }
    const content = struct.content;
    switch (target) {
      case 'dropped':
        continue; // Yjs garbage-collects an item whose neighbour is gone
      case 'refused':
        return { ok: false, problem: 'layout' };
      case CODE_TEXT:
        if (content instanceof Y.ContentString) addedBytes += 2 * content.str.length;
        else if (!(content instanceof Y.ContentDeleted)) return { ok: false, problem: 'layout' };
        break;
      default: {
        if (content instanceof Y.ContentDeleted) break;
        const value = content instanceof Y.ContentAny && content.arr.length === 1 ? content.arr[0] : undefined;
        if (typeof value !== 'string' || value.length > META_KEYS.get(target)!) return { ok: false, problem: 'layout' };
        addedBytes += 2 * value.length;
      }
    }
  }

  for (const [client, deletes] of ds.clients) {
    const last = deletes[deletes.length - 1];
    if (last !== undefined && !isKnown(store, runs, client, last.clock + last.len - 1)) return { ok: false, problem: 'missing_dependencies' };
  }
  return { ok: true, addedBytes };
}

interface Runs {
  firstClient: number;
  firstEnd: number;
  others: Map<number, number> | undefined;
}

/** True when the room holds `clock` of `client`, or the update does. */
function isKnown(store: Y.Doc['store'], runs: Runs, client: number, clock: number): boolean {
  if (clock < Y.getState(store, client)) return true;
  return client === runs.firstClient ? clock < runs.firstEnd : clock < (runs.others?.get(client) ?? 0);
}

function targetOfRoot(root: string, key: string | null): Target {
  if (root === CODE_TEXT) return key === null ? CODE_TEXT : 'refused';
  if (root === META_MAP && key !== null && META_KEYS.has(key)) return key as Target;
  return 'refused';
}

function groupByClient(structs: (Y.Item | Y.GC | Y.Skip)[]): Map<number, (Y.Item | Y.GC | Y.Skip)[]> {
  const byClient = new Map<number, (Y.Item | Y.GC | Y.Skip)[]>();
  for (const struct of structs) {
    const list = byClient.get(struct.id.client);
    if (list) list.push(struct);
    else byClient.set(struct.id.client, [struct]);
  }
  return byClient;
}

/**
 * Where an item without parent info lands: where its origin (else its right
 * origin) is, as Yjs decides in `Item.getMissing`. The origin is looked up in
 * the room, else in the update, following chains iteratively.
 */
function resolveTarget(
  item: Y.Item,
  doc: Y.Doc,
  byClient: Map<number, (Y.Item | Y.GC | Y.Skip)[]>,
  targets: Map<Y.Item, Target>,
  maxSteps: number,
): Target {
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
      // inspectUpdate checked that the id is in the update.
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

class Refusal {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {}
}

/**
 * Checks every incoming message before Hocuspocus applies it, on `/collab`
 * and `/yjs` alike: a per-connection message rate, updates that do not
 * decode, write outside the document layout or refer to structs the room
 * never saw ({@link inspectUpdate}), and updates that would grow the room
 * past `MAX_DOCUMENT_BYTES` ({@link measureRoom}). A refused message is never
 * applied; the socket is closed with the reason (4400, 4413, 4429) and other
 * clients carry on. Typing costs one decode and one store lookup.
 */
export class MessageGuardExtension implements Extension {
  extensionName = 'pairpad-message-guard';
  priority = 900;
  /** Length of the awareness frame a connection sent last; the awareness hook runs right after, for that frame. */
  private readonly awarenessBytes = new WeakMap<object, number>();

  constructor(
    private readonly limits: MessageLimits,
    private readonly metrics: Pick<Metrics, 'updatesRejected' | 'rateLimited'>,
  ) {}

  async beforeHandleMessage({ update: frame, document, connection, context }: beforeHandleMessagePayload<ConnectionContext>): Promise<void> {
    const refusal = this.check(frame, document, connection);
    if (!refusal) return;
    context?.closeSocket?.(refusal.code, refusal.reason);
    // Throwing stops Hocuspocus from applying the message.
    throw refusal;
  }

  private check(frame: Uint8Array, document: Y.Doc, connection: Connection): Refusal | undefined {
    let update: Uint8Array;
    try {
      const decoder = decoding.createDecoder(frame);
      decoding.readVarString(decoder);
      const type = decoding.readVarUint(decoder);
      if (type > MessageType.Pong) throw new Error('unknown message type');
      if (type === MessageType.Awareness) this.awarenessBytes.set(connection, frame.length);
      if (type !== MessageType.Sync && type !== MessageType.SyncReply) return undefined;
      if (decoding.readVarUint(decoder) === SYNC_STEP_1) return undefined;
      update = decoding.readVarUint8Array(decoder);
    } catch {
      this.metrics.updatesRejected.labels('malformed').inc();
      return new Refusal(CloseCode.malformedMessage, CloseReason.malformedMessage);
    }
    if (connection.readOnly) {
      // Hocuspocus drops it; a viewer's empty sync reply (two zero bytes) is no edit.
      if (update.length > 2) this.metrics.updatesRejected.labels('read_only').inc();
      return undefined;
    }
    let verdict: UpdateVerdict;
    try {
      verdict = inspectUpdate(update, document);
    } catch {
      this.metrics.updatesRejected.labels('malformed').inc();
      return new Refusal(CloseCode.malformedMessage, CloseReason.malformedMessage);
    }
    if (!verdict.ok) {
      this.metrics.updatesRejected.labels(verdict.problem === 'layout' ? 'malformed' : 'missing_dependencies').inc();
      return new Refusal(CloseCode.malformedMessage, CloseReason.malformedMessage);
    }
    const limit = this.limits.maxDocumentChars;
    // The meta strings are at most MAX_META_BYTES; only near the limit are they read.
    if (verdict.addedBytes > 0 && 2 * document.getText(CODE_TEXT).length + verdict.addedBytes + MAX_META_BYTES > limit && measureRoom(document) + verdict.addedBytes > limit) {
      this.metrics.updatesRejected.labels('document_too_large').inc();
      return new Refusal(CloseCode.documentTooLarge, CloseReason.documentTooLarge);
    }
    return undefined;
  }

  /**
   * A client may only set its own awareness state: states for client ids
   * another connection owns are dropped, as are states over 8 KiB and more
   * client ids than a provider would use. The rest of the update applies.
   */
  async beforeHandleAwareness({ connection, document, states }: beforeHandleAwarenessPayload): Promise<void> {
    if (!connection) return;
    const own = document.connections.get(connection)?.clients;
    // A state is JSON inside the frame (UTF-8, never shorter than the UTF-16
    // length); a frame this small cannot hold an oversized one.
    const measure = (this.awarenessBytes.get(connection) ?? Infinity) > MAX_AWARENESS_STATE_CHARS;
    for (const [clientId, state] of states) {
      let refused = measure && state !== null && JSON.stringify(state).length > MAX_AWARENESS_STATE_CHARS;
      if (!refused && !own?.has(clientId)) {
        refused = (own?.size ?? 0) >= MAX_CLIENTS_PER_CONNECTION;
        for (const [other, entry] of document.connections) {
          if (refused) break;
          refused = other !== connection && entry.clients.has(clientId);
        }
      }
      if (refused) {
        states.delete(clientId);
        this.metrics.updatesRejected.labels('awareness').inc();
      }
    }
  }
}
