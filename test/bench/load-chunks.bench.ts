/**
 * `npm run bench:load-chunks`: where a large room's load spends main-thread
 * time, and what splitting its stored state into chunks (`update-chunks.ts`,
 * done by the fold worker at load) leaves per turn of the event loop.
 *
 * The room: 2,000,000 characters in 20,000 pastes of 100 at random places (as
 * in `fold-stall.bench.ts`), one Yjs state. In-process, no server. Three runs.
 * Prints JSON lines and a table.
 */
import * as Y from 'yjs';
import { splitUpdate } from '../../server/collab/update-chunks.ts';
import { readRoomContent } from '../../shared/room-doc.ts';
import { formatTable } from './support/stats.ts';

const CHUNK_SIZES = [200, 500, 2_000];
const ms = (start: number) => Math.round((performance.now() - start) * 10) / 10;

function buildBigRoomState(): Uint8Array {
  let seed = 2;
  const random = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
  const doc = new Y.Doc();
  const text = doc.getText('code');
  for (let message = 0; message < 20; message++) {
    doc.transact(() => {
      for (let i = 0; i < 1_000; i++) text.insert(Math.floor(random() * (text.length + 1)), 'abcdefghij'.repeat(10));
    });
  }
  const state = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return state;
}

const state = buildBigRoomState();
const rows: (string | number)[][] = [];
for (let run = 1; run <= 3; run++) {
  let start = performance.now();
  Y.decodeUpdate(state);
  const decodeMs = ms(start);
  start = performance.now();
  const whole = new Y.Doc();
  Y.applyUpdate(whole, state);
  const applyMs = ms(start);
  start = performance.now();
  Y.encodeStateAsUpdate(whole);
  const encodeMs = ms(start);
  start = performance.now();
  readRoomContent(whole);
  const contentMs = ms(start);
  console.log(JSON.stringify({ run, bytes: state.length, decodeMs, applyWholeMs: applyMs, encodeMs, textMs: contentMs }));
  rows.push([run, 'whole state at once', 1, applyMs, applyMs, `decode alone ${decodeMs}, encode ${encodeMs}, text ${contentMs}`]);
  for (const structsPerChunk of CHUNK_SIZES) {
    start = performance.now();
    const chunks = splitUpdate(state, structsPerChunk);
    const splitMs = ms(start);
    const chunked = new Y.Doc();
    const times = chunks.map((chunk) => {
      const chunkStart = performance.now();
      Y.applyUpdate(chunked, chunk);
      return ms(chunkStart);
    });
    const same = chunked.getText('code').toString() === whole.getText('code').toString();
    const sumMs = Math.round(times.reduce((sum, time) => sum + time, 0));
    console.log(JSON.stringify({ run, structsPerChunk, splitMsInWorker: splitMs, chunks: chunks.length, maxChunkMs: Math.max(...times), sumChunkMs: sumMs, same }));
    rows.push([run, `chunks of ${structsPerChunk} structs`, chunks.length, Math.max(...times), sumMs, `split ${splitMs} (worker)${same ? '' : ' DIFFERENT'}`]);
    chunked.destroy();
  }
  whole.destroy();
}
console.log(formatTable(['run', 'load', 'pieces', 'longest piece ms', 'total ms', 'notes'], rows));
