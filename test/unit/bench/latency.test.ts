import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { joinLatencies, LatencyRecorder, sharedNowMs } from '../../bench/load/latency.ts';

/** Two docs that exchange every update, as two clients of a room would through a server. */
function linkedPair(): [Y.Doc, Y.Doc] {
  const docs: [Y.Doc, Y.Doc] = [new Y.Doc(), new Y.Doc()];
  docs[0].on('update', (update: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(docs[1], update, 'remote'));
  docs[1].on('update', (update: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(docs[0], update, 'remote'));
  return docs;
}

function type(recorder: LatencyRecorder, doc: Y.Doc, text: string): void {
  for (const character of text) {
    recorder.noteKeystroke('room', doc.clientID, Y.getState(doc.store, doc.clientID));
    doc.getText('code').insert(doc.getText('code').length, character);
  }
}

describe('the bench latency recorder', () => {
  it('pairs each measured keystroke with its arrival at the other client, and drops those typed outside the window', () => {
    const sender = new LatencyRecorder();
    const receiver = new LatencyRecorder();
    const [typist, watcher] = linkedPair();
    receiver.watch(watcher);
    sender.watch(typist);
    type(sender, typist, 'ab'); // before the window: not measured
    sender.start();
    receiver.start();
    type(sender, typist, 'cde');
    sender.stop();
    type(sender, typist, 'f'); // after the window: arrives, but was not measured
    receiver.stop();

    const sends = sender.sent();
    expect(sends).toHaveLength(1);
    expect([...sends[0].clocks]).toEqual([2, 3, 4]);
    const arrivals = receiver.takeReceived();
    expect([...arrivals.clocks]).toEqual([2, 3, 4, 5]);
    // The typist's own keystrokes are local transactions: it notes no arrivals.
    expect(sender.takeReceived().clients).toHaveLength(0);

    const latencies = joinLatencies(sends, [arrivals]);
    expect(latencies).toHaveLength(3);
    for (const latency of latencies) expect(latency).toBeGreaterThanOrEqual(0);
    expect(sender.keystrokes).toBe(3);
    expect(sender.sentTotal).toBe(6);
  });

  it('joins arrivals of a merged update carrying several keystrokes, one latency each', () => {
    const sender = new LatencyRecorder();
    const receiver = new LatencyRecorder();
    const typist = new Y.Doc();
    const watcher = new Y.Doc();
    receiver.watch(watcher);
    sender.start();
    receiver.start();
    const updates: Uint8Array[] = [];
    typist.on('update', (update: Uint8Array) => updates.push(update));
    type(sender, typist, 'xyz');
    Y.applyUpdate(watcher, Y.mergeUpdates(updates), 'remote');
    expect(joinLatencies(sender.sent(), [receiver.takeReceived()])).toHaveLength(3);
  });

  it('reads one clock in every process, so a send stamped in one and an arrival in another subtract', async () => {
    const before = sharedNowMs();
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--import',
      'tsx',
      '--input-type=module',
      '--eval',
      "const { sharedNowMs } = await import('./test/bench/load/latency.ts'); console.log(sharedNowMs());",
    ]);
    const after = sharedNowMs();
    const theirs = Number(stdout);
    expect(theirs).toBeGreaterThan(before);
    expect(theirs).toBeLessThan(after);
  });
});
