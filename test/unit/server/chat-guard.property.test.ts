import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { trimChat } from '../../../server/collab/chat-trim.extension.ts';
import { checkUpdate } from '../../../server/collab/update-guard.ts';
import { CHAT_ARRAY, CHAT_MAX_TEXT, CODE_TEXT, FILES_MAP, META_MAP } from '../../../shared/protocol.ts';
import { appendChatMessage, isChatMessage, readChatMessages } from '../../../shared/room-chat.ts';
import { encodeNewRoomState } from '../../../shared/room-doc.ts';
import { findLayoutProblem } from '../../../shared/room-layout.ts';
import { encodeRawUpdate, type RawContent, type RawDelete, type RawId, type RawStruct } from '../../support/crafted-updates.ts';
import { updateOn } from '../../support/yjs-updates.ts';

/**
 * The chat part of the guard (`shared/protocol.ts`, "Chat") against
 * arbitrary updates: crafted items aimed at the chat array (parents,
 * neighbours, keys, contents near and far from a message) and delete
 * ranges over its messages, mixed with honest appends. Whatever it accepts
 * applies completely, stays in the layout and never removes or reorders a
 * message the room held; whatever it refuses leaves the room as it was;
 * honest appends always pass. With `appendOnly` (a viewer), whatever it
 * accepts changes nothing but the chat.
 */

const CLIENTS = [11, 12, 13];
const RUNS = Number(process.env.FUZZ_RUNS ?? 1_500);

/** A room with code, a file, and messages from three clients; their docs, in sync with it. */
function buildRoom() {
  const room = new Y.Doc();
  Y.applyUpdate(room, encodeNewRoomState({ code: 'hello\n', language: 'python', title: 'Demo' }, { entry: 'main.py', files: [{ path: 'main.py', content: 'hello\n' }, { path: 'a.py', content: 'a\n' }] }));
  for (const [i, client] of CLIENTS.entries()) {
    const doc = new Y.Doc();
    doc.clientID = client;
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(room));
    for (let n = 0; n < 3; n++) Y.applyUpdate(room, updateOn(doc, () => appendChatMessage(doc, { name: `p${i}`, color: '#0969da', text: `m${i}${n}` }, { id: `id${i}${n}`, at: n })));
    Y.applyUpdate(room, updateOn(doc, () => doc.getText(CODE_TEXT).insert(0, `${i}`)));
  }
  return Y.encodeStateAsUpdate(room);
}
const BASE = buildRoom();

const goodMessage = { id: 'abc', at: 1, name: 'Ada', color: '#0969da', text: 'hi' };
const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(goodMessage) },
  {
    weight: 4,
    arbitrary: fc.record({
      id: fc.oneof(fc.constant('abc'), fc.string({ maxLength: 70 }), fc.integer()),
      at: fc.oneof(fc.constant(1), fc.double(), fc.string({ maxLength: 3 })),
      name: fc.oneof(fc.constant('Ada'), fc.string({ maxLength: 70 })),
      color: fc.oneof(fc.constant('#fff'), fc.string({ maxLength: 40 })),
      text: fc.oneof(fc.string({ maxLength: 5 }), fc.constant('x'.repeat(CHAT_MAX_TEXT)), fc.constant('x'.repeat(CHAT_MAX_TEXT + 1)), fc.constant('<img src=x onerror=alert(1)>')),
    }, { requiredKeys: [] }),
  },
  { weight: 1, arbitrary: fc.constant({ ...goodMessage, extra: 1 }) },
  { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 3 }), fc.integer(), fc.constant(null), fc.constant([goodMessage])) },
);
const contentArb: fc.Arbitrary<RawContent> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ type: fc.constant('any' as const), values: fc.array(valueArb, { minLength: 1, maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('deleted' as const), length: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('string' as const), text: fc.string({ minLength: 1, maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('type' as const), typeRef: fc.constantFrom(0 as const, 1 as const, 2 as const) }) },
);

/** Where a crafted item points: a message the room holds (by index), or the end of a client's clock, or nothing. */
type Ref = { message: number } | { client: number; ahead: number } | null;
const refArb: fc.Arbitrary<Ref> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ message: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ client: fc.constantFrom(...CLIENTS, 99), ahead: fc.integer({ min: -2, max: 1 }) }) },
  { weight: 3, arbitrary: fc.constant(null) },
);
interface ItemSpec {
  origin: Ref;
  rightOrigin: Ref;
  parent: string | undefined;
  parentSub: string | undefined;
  content: RawContent;
}
const itemArb: fc.Arbitrary<ItemSpec> = fc.record({
  origin: refArb,
  rightOrigin: refArb,
  parent: fc.constantFrom<string | undefined>(CHAT_ARRAY, CHAT_ARRAY, CODE_TEXT, META_MAP, FILES_MAP, undefined),
  parentSub: fc.constantFrom<string | undefined>(undefined, undefined, undefined, 'text', '0'),
  content: contentArb,
});
type Spec =
  | { kind: 'honest'; count: number }
  | { kind: 'crafted'; client: number; items: ItemSpec[]; deletes: { message: number; length: number }[] };
const specArb: fc.Arbitrary<Spec> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('honest' as const), count: fc.integer({ min: 1, max: 3 }) }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('crafted' as const),
      client: fc.constantFrom(...CLIENTS, 21),
      items: fc.array(itemArb, { maxLength: 3 }),
      deletes: fc.array(fc.record({ message: fc.nat(), length: fc.integer({ min: 0, max: 3 }) }), { maxLength: 2 }),
    }),
  },
);

/** The ids of the chat items the room holds, in order (deleted ones too: they are places an attacker may name). */
function chatItemIds(room: Y.Doc): RawId[] {
  const ids: RawId[] = [];
  for (let item = room.getArray(CHAT_ARRAY)._start; item !== null; item = item.right) ids.push({ client: item.id.client, clock: item.id.clock + item.length - 1 });
  return ids;
}

function resolveRef(room: Y.Doc, ref: Ref): RawId | undefined {
  if (ref === null) return undefined;
  if ('message' in ref) {
    const ids = chatItemIds(room);
    return ids.length === 0 ? undefined : ids[ref.message % ids.length];
  }
  return { client: ref.client, clock: Math.max(0, Y.getState(room.store, ref.client) + ref.ahead) };
}

function buildUpdate(room: Y.Doc, spec: Spec): Uint8Array {
  if (spec.kind === 'honest') {
    // A client id of its own (Yjs would change a reused one anyway).
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(room));
    const update = updateOn(doc, () => {
      for (let n = 0; n < spec.count; n++) appendChatMessage(doc, { name: 'Honest', color: '#1a7f37', text: `honest ${n}` });
    });
    doc.destroy();
    return update;
  }
  const structs: RawStruct[] = spec.items.map((item) => {
    const origin = resolveRef(room, item.origin);
    const rightOrigin = resolveRef(room, item.rightOrigin);
    return {
      kind: 'item',
      content: item.content,
      ...(origin && { origin }),
      ...(rightOrigin && { rightOrigin }),
      ...(!origin && !rightOrigin && item.parent !== undefined && { parent: item.parent }),
      ...(item.parentSub !== undefined && { parentSub: item.parentSub }),
    };
  });
  const ids = chatItemIds(room);
  const deletes: RawDelete[] = ids.length === 0 ? [] : spec.deletes.map((range) => ({ ...ids[range.message % ids.length], length: range.length }));
  const blocks = structs.length === 0 ? [] : [{ client: spec.client, clock: Y.getState(room.store, spec.client), structs }];
  return encodeRawUpdate(blocks, deletes);
}

/** Everything but the chat, as JSON. */
function outsideChat(room: Y.Doc) {
  return { code: room.getText(CODE_TEXT).toString(), meta: room.getMap(META_MAP).toJSON(), files: room.getMap(FILES_MAP).toJSON() };
}

describe('the chat guard against arbitrary updates', () => {
  for (const appendOnly of [false, true]) {
    it(`${appendOnly ? 'for a viewer' : 'for an editor'}: accepts appends only, never loses a message, refuses without a trace`, () => {
      const tally = { accepted: 0, refused: 0, honest: 0, crafted: 0, craftedAccepted: 0 };
      fc.assert(
        fc.property(fc.array(specArb, { minLength: 1, maxLength: 5 }), (specs) => {
          const room = new Y.Doc();
          Y.applyUpdate(room, BASE);
          for (const spec of specs) {
            const update = buildUpdate(room, spec);
            const before = Y.encodeStateAsUpdate(room);
            const messagesBefore = readChatMessages(room).map((message) => message.id + message.text);
            const rest = outsideChat(room);
            const verdict = checkUpdate(update, room, { appendOnly });
            if (spec.kind === 'honest') {
              tally.honest++;
              expect(verdict.ok).toBe(true);
            } else tally.crafted++;
            if (verdict.ok) {
              tally.accepted++;
              if (spec.kind === 'crafted') tally.craftedAccepted++;
              Y.applyUpdate(room, update);
              expect(room.store.pendingStructs).toBeNull();
              expect(room.store.pendingDs).toBeNull();
              expect(findLayoutProblem(room)).toBeUndefined();
              const after = readChatMessages(room).map((message) => message.id + message.text);
              // Every message the room held is still there, in the same order.
              expect(after.filter((entry) => messagesBefore.includes(entry))).toEqual(messagesBefore);
              expect(room.getArray(CHAT_ARRAY).toArray().every(isChatMessage)).toBe(true);
              if (appendOnly) expect(outsideChat(room)).toEqual(rest);
            } else {
              tally.refused++;
              expect(Y.encodeStateAsUpdate(room)).toEqual(before);
            }
          }
          // The server's trim is the only delete, and it keeps the newest.
          const newest = readChatMessages(room).slice(-5).map((message) => message.id);
          trimChat(room, 5);
          expect(readChatMessages(room).map((message) => message.id)).toEqual(newest);
          room.destroy();
        }),
        { numRuns: RUNS },
      );
      console.info(`chat guard fuzz (${appendOnly ? 'viewer' : 'editor'}): ${JSON.stringify(tally)}`);
      // Both sides must be reached, crafted updates included, or the test proves little.
      expect(tally.craftedAccepted).toBeGreaterThan(tally.crafted / 50);
      expect(tally.refused).toBeGreaterThan(tally.crafted / 5);
    }, 120_000);
  }
});
