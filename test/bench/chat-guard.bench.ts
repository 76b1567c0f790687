/**
 * What the chat rules add to the update guard where they cost most: a sync
 * answer (a reconnect, a viewer joining) carries the whole delete set of
 * the room, and with messages in the chat the guard checks that none of its
 * ranges removes a live message (editors) or anything live (viewers, whose
 * updates may only append). Room: BENCH_CHAT_KEYSTROKES single-character
 * edits by three typists (30 % deletions), then 1,000 messages. Prints JSON
 * and a table; never fails on a figure.
 * Run: `node --import tsx test/bench/chat-guard.bench.ts`
 */
import * as Y from 'yjs';
import { inspectUpdate } from '../../server/collab/update-guard.ts';
import { CODE_TEXT } from '../../shared/protocol.ts';
import { appendChatMessage } from '../../shared/room-chat.ts';
import { createRandom } from '../support/random.ts';
import { updateOn } from '../support/yjs-updates.ts';
import { formatTable, round } from './support/stats.ts';

const keystrokes = Number(process.env.BENCH_CHAT_KEYSTROKES ?? 60_000);
const runs = 50;
const random = createRandom(7);

const room = new Y.Doc();
const typists = [1, 2, 3].map((clientID) => {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  return doc;
});
for (let i = 0; i < keystrokes; i++) {
  const doc = typists[i % typists.length];
  const text = doc.getText(CODE_TEXT);
  const update = updateOn(doc, () => {
    if (random() < 0.3 && text.length > 0) text.delete(Math.floor(random() * text.length), 1);
    else text.insert(Math.floor(random() * (text.length + 1)), 'k');
  });
  Y.applyUpdate(room, update);
  for (const other of typists) if (other !== doc) Y.applyUpdate(other, update);
}
for (let i = 0; i < 1000; i++) appendChatMessage(room, { name: 'Bench', color: '#0969da', text: `message ${i}` });

// What a client holding the whole room answers to the server's sync step 1: no structs, the whole delete set.
const client = new Y.Doc();
Y.applyUpdate(client, Y.encodeStateAsUpdate(room));
const answer = Y.encodeStateAsUpdate(client, Y.encodeStateVector(room));
const deleteRanges = [...Y.decodeUpdate(answer).ds.clients.values()].reduce((sum, ranges) => sum + ranges.length, 0);

const rows: (string | number)[][] = [];
for (const appendOnly of [false, true]) {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    inspectUpdate(answer, room, { appendOnly });
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  samples.sort((a, b) => a - b);
  const result = { who: appendOnly ? 'viewer' : 'editor', deleteRanges, answerBytes: answer.length, medianMs: round(samples[runs >> 1], 3), p90Ms: round(samples[Math.floor(runs * 0.9)], 3) };
  console.log(JSON.stringify({ bench: 'chat-guard-sync-answer', ...result }));
  rows.push([result.who, result.deleteRanges, result.answerBytes, result.medianMs, result.p90Ms]);
}
console.log(formatTable(['sender', 'delete ranges', 'answer bytes', 'median ms', 'p90 ms'], rows));
