import { startTestServer, createRoom } from './test/support/server.ts';
import { connectClient, createRandom } from './test/support/providers.ts';
const minBytes = Number(process.argv[2]);
const server = await startTestServer({ overrides: { storeDebounceMs: 600_000, storeMaxDebounceMs: 600_000, journalFlushMs: 50, foldWorkerMinBytes: minBytes } });
const { roomId } = await createRoom(server.baseUrl, { code: '' });
const w = connectClient(server.wsUrl, roomId); await w.synced;
const random = createRandom(2);
for (let m = 0; m < 20; m++) { w.doc.transact(() => { for (let i = 0; i < 1000; i++) w.text.insert(Math.floor(random() * (w.text.length + 1)), 'abcdefghij'.repeat(10)); }); while (w.provider.hasUnsyncedChanges) await new Promise(r => setTimeout(r, 10)); }
const { persistence, hocuspocus, replicas } = server.pairpad.collab;
const doc = hocuspocus.documents.get(roomId)!;
for (let i = 0; i < 6; i++) {
  w.text.insert(0, 'e');
  while (w.provider.hasUnsyncedChanges) await new Promise(r => setTimeout(r, 10));
  let last = performance.now(), maxGap = 0;
  const timer = setInterval(() => { const now = performance.now(); maxGap = Math.max(maxGap, now - last); last = now; }, 2);
  const t = performance.now();
  await persistence.storeAll([doc]);
  const took = performance.now() - t;
  await new Promise(r => setTimeout(r, 20));
  clearInterval(timer);
  console.log({ minBytes, replica: replicas.has(roomId), foldMs: Math.round(took), maxLoopGapMs: Math.round(maxGap) });
}
w.destroy(); await server.close(); process.exit(0);
