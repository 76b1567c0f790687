/**
 * What the update guard costs per keystroke: `inspectUpdate` (decode, the
 * dependency replay, the delete-set and layout checks) on single-character
 * updates against a room of realistic size, several typists. Prints JSON and
 * a table; never fails on a figure.
 * Run: `node --import tsx test/bench/update-guard.bench.ts`
 * (BENCH_GUARD_KEYSTROKES, default 20000; BENCH_GUARD_ROOM_CHARS, default 50000;
 * BENCH_GUARD_CHAT_MESSAGES, default 0: a chat of that many messages, so
 * deletions pay the check that they remove no message).
 */
import * as Y from 'yjs';
import { inspectUpdate } from '../../server/collab/message-guard.extension.ts';
import { CODE_TEXT } from '../../shared/protocol.ts';
import { encodeNewRoomState } from '../../shared/room-doc.ts';
import { appendChatMessage } from '../../shared/room-chat.ts';
import { createRandom } from '../support/random.ts';
import { formatTable, round } from './support/stats.ts';

const keystrokes = Number(process.env.BENCH_GUARD_KEYSTROKES ?? 20_000);
const roomChars = Number(process.env.BENCH_GUARD_ROOM_CHARS ?? 50_000);
const chatMessages = Number(process.env.BENCH_GUARD_CHAT_MESSAGES ?? 0);
const random = createRandom(42);

const room = new Y.Doc();
Y.applyUpdate(room, encodeNewRoomState({ code: '', language: 'python', title: 'Bench' }));
const typists = [1, 2, 3].map((clientID) => {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  doc.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin !== 'room') pending.push(update);
  });
  return doc;
});
let pending: Uint8Array[] = [];
const sync = () => {
  for (const update of pending) {
    Y.applyUpdate(room, update, 'room');
    for (const doc of typists) Y.applyUpdate(doc, update, 'room');
  }
  pending = [];
};
// The room's history: chunks typed by all three at random places.
while (room.getText(CODE_TEXT).length < roomChars) {
  for (const doc of typists) {
    const text = doc.getText(CODE_TEXT);
    text.insert(Math.floor(random() * (text.length + 1)), 'lorem ipsum dolor sit amet\n');
  }
  sync();
}
for (let i = 0; i < chatMessages; i++) appendChatMessage(typists[i % typists.length], { name: 'Bench', color: '#0969da', text: `message ${i}` });
sync();

// Keystrokes: one character each (a fifth are deletions), as typists send them.
const samples: number[] = [];
let total = 0;
for (let i = 0; i < keystrokes; i++) {
  const doc = typists[i % typists.length];
  const text = doc.getText(CODE_TEXT);
  if (random() < 0.2) text.delete(Math.floor(random() * text.length), 1);
  else text.insert(Math.floor(random() * (text.length + 1)), 'k');
  const update = pending.pop()!;
  const started = process.hrtime.bigint();
  const verdict = inspectUpdate(update, room);
  const elapsed = Number(process.hrtime.bigint() - started);
  if (!verdict.ok) throw new Error(`a legitimate keystroke was refused: ${JSON.stringify(verdict)}`);
  if (i >= keystrokes / 10) {
    samples.push(elapsed);
    total += elapsed;
  }
  Y.applyUpdate(room, update, 'room');
  for (const other of typists) if (other !== doc) Y.applyUpdate(other, update, 'room');
}
samples.sort((a, b) => a - b);
const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] / 1000;
const result = {
  keystrokes: samples.length,
  roomChars: room.getText(CODE_TEXT).length,
  chatMessages,
  meanMicros: round(total / samples.length / 1000, 2),
  p50Micros: round(at(0.5), 2),
  p99Micros: round(at(0.99), 2),
};
console.log(JSON.stringify({ bench: 'update-guard', ...result }));
console.log(formatTable(['keystrokes', 'room chars', 'mean µs', 'p50 µs', 'p99 µs'], [[result.keystrokes, result.roomChars, result.meanMicros, result.p50Micros, result.p99Micros]]));
