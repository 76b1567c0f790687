import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { inspectUpdate } from '../../../server/collab/message-guard.extension.ts';
import { encodeNewRoomState, readRoomSettings } from '../../../shared/room-doc.ts';
import { findLayoutProblem } from '../../../shared/room-layout.ts';
import { updateOn } from '../../support/yjs-updates.ts';

/** A server document of a new room whose owner set a lock and a limit (as `PATCH` does), and a client that synced with it. */
function lockedRoom() {
  const server = new Y.Doc();
  Y.applyUpdate(server, encodeNewRoomState({ code: 'hello\n', language: 'python', title: 'Demo' }));
  server.transact(() => {
    server.getMap('meta').set('locked', true);
    server.getMap('meta').set('maxEditors', 3);
  });
  const client = new Y.Doc();
  Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
  return { server, client };
}

describe('the owner\'s keys of meta (locked, maxEditors)', () => {
  it('belong to the layout when the server sets them', () => {
    const { server } = lockedRoom();
    expect(findLayoutProblem(server)).toBeUndefined();
    expect(readRoomSettings(server)).toEqual({ locked: true, maxEditors: 3 });
  });

  it('are refused when the wrong shape', () => {
    for (const [key, value] of [['locked', 'yes'], ['maxEditors', 0], ['maxEditors', 1.5], ['maxEditors', 1001]] as const) {
      const doc = new Y.Doc();
      doc.getMap('meta').set(key, value);
      expect(findLayoutProblem(doc)).toBe(`meta.${key}`);
    }
  });

  it('cannot be set, overwritten or deleted by any client update', () => {
    const { server, client } = lockedRoom();
    for (const change of [
      (doc: Y.Doc) => doc.getMap('meta').set('locked', false),
      (doc: Y.Doc) => doc.getMap('meta').delete('locked'),
      (doc: Y.Doc) => doc.getMap('meta').delete('maxEditors'),
      (doc: Y.Doc) => doc.getMap('meta').set('maxEditors', 100),
    ]) {
      const fork = new Y.Doc();
      Y.applyUpdate(fork, Y.encodeStateAsUpdate(client));
      expect(inspectUpdate(updateOn(fork, change), server)).toEqual({ ok: false, problem: 'layout' });
    }
    // Typing and the title are still fine.
    const typing = updateOn(client, (doc) => doc.getText('code').insert(0, 'x'));
    expect(inspectUpdate(typing, server)).toMatchObject({ ok: true });
    Y.applyUpdate(server, typing);
    expect(inspectUpdate(updateOn(client, (doc) => doc.getMap('meta').set('title', 'T')), server)).toMatchObject({ ok: true });
  });

  it('cannot be set in an unlocked room either', () => {
    const server = new Y.Doc();
    Y.applyUpdate(server, encodeNewRoomState({ code: '', language: 'python', title: '' }));
    const client = new Y.Doc();
    Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
    expect(inspectUpdate(updateOn(client, (doc) => doc.getMap('meta').set('locked', true)), server)).toEqual({ ok: false, problem: 'layout' });
  });
});
