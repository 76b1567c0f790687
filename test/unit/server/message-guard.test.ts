import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { inspectUpdate, measureRoom } from '../../../server/collab/message-guard.extension.ts';
import { encodeNewRoomState } from '../../../shared/room-doc.ts';
import { updateOn } from '../../support/yjs-updates.ts';

/** A server document of a new room, and a client that synced with it. */
function room(code = 'hello\n') {
  const server = new Y.Doc();
  Y.applyUpdate(server, encodeNewRoomState({ code, language: 'python', title: 'Demo' }));
  const client = new Y.Doc();
  Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
  return { server, client };
}

describe('inspectUpdate', () => {
  it('accepts typing and counts 2 bytes per UTF-16 code unit', () => {
    const { server, client } = room();
    for (const [change, addedBytes] of [
      [(doc: Y.Doc) => doc.getText('code').insert(3, 'a'), 2],
      [(doc: Y.Doc) => doc.getText('code').insert(0, 'é😀'), 6],
      [(doc: Y.Doc) => doc.getText('code').delete(0, 3), 0],
    ] as const) {
      const update = updateOn(client, change);
      expect(inspectUpdate(update, server)).toMatchObject({ ok: true, addedBytes });
      Y.applyUpdate(server, update);
    }
  });

  it('accepts a title and a language within their lengths, counted the same way', () => {
    const { server, client } = room();
    const title = updateOn(client, (doc) => doc.getMap('meta').set('title', 't'.repeat(200)));
    expect(inspectUpdate(title, server)).toMatchObject({ ok: true, addedBytes: 400 });
    Y.applyUpdate(server, title);
    expect(inspectUpdate(updateOn(client, (doc) => doc.getMap('meta').set('language', 'typescript')), server)).toMatchObject({ ok: true, addedBytes: 20 });
  });

  it('accepts a reconnecting client that sends its whole state, counting only what the room lacks', () => {
    const { server, client } = room();
    const text = client.getText('code');
    for (let i = 0; i < 50; i++) text.insert((i * 7) % text.length, 'xy');
    const full = Y.encodeStateAsUpdate(client);
    expect(inspectUpdate(full, server)).toMatchObject({ ok: true, addedBytes: 200 });
    Y.applyUpdate(server, full);
    expect(inspectUpdate(full, server)).toMatchObject({ ok: true, addedBytes: 0 });
  });

  it('refuses whatever the layout has no place for', () => {
    const cases: Record<string, (doc: Y.Doc) => void> = {
      'a long title': (doc) => doc.getMap('meta').set('title', 'x'.repeat(201)),
      'a long language': (doc) => doc.getMap('meta').set('language', 'x'.repeat(33)),
      'another meta key': (doc) => doc.getMap('meta').set('notes', 'x'),
      'a number as title': (doc) => doc.getMap('meta').set('title', 42),
      'binary in meta': (doc) => doc.getMap('meta').set('title', new Uint8Array(10)),
      'a nested map in meta': (doc) => doc.getMap('meta').set('title', new Y.Map()),
      'a write into a nested type': (doc) => {
        const nested = new Y.Map<string>();
        doc.getMap('meta').set('title', nested as never);
        nested.set('x', 'y'.repeat(1000));
      },
      'an embed in the code': (doc) => doc.getText('code').insertEmbed(2, { big: 'x'.repeat(1000) }),
      'a format in the code': (doc) => doc.getText('code').format(0, 3, { bold: true }),
      'an attribute on the code': (doc) => doc.getText('code').setAttribute('x', 'y'),
      'a nested type in the code': (doc) => doc.getText('code').insertEmbed(0, new Y.Text('x')),
      'another root type': (doc) => doc.getArray('junk').insert(0, ['x']),
    };
    for (const [name, change] of Object.entries(cases)) {
      const { server, client } = room();
      expect({ name, verdict: inspectUpdate(updateOn(client, change), server) }).toEqual({ name, verdict: { ok: false, problem: 'layout' } });
    }
  });

  it('refuses updates that refer to structs the room never saw', () => {
    const { server, client } = room();
    const first = updateOn(client, (doc) => doc.getText('code').insert(0, 'a'));
    const second = updateOn(client, (doc) => doc.getText('code').insert(1, 'b'));
    expect(inspectUpdate(second, server)).toMatchObject({ ok: false, problem: 'missing_dependencies' });
    // Another client building on the unseen edit.
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(client));
    expect(inspectUpdate(updateOn(other, (doc) => doc.getText('code').insert(2, 'c')), server)).toMatchObject({ ok: false, problem: 'missing_dependencies' });
    // Deleting what the room never had.
    expect(inspectUpdate(updateOn(other, (doc) => doc.getText('code').delete(0, 2)), server)).toMatchObject({ ok: false, problem: 'missing_dependencies' });
    // In order, both are fine.
    expect(inspectUpdate(first, server).ok).toBe(true);
    Y.applyUpdate(server, first);
    expect(inspectUpdate(second, server).ok).toBe(true);
  });

  it('throws on bytes that do not decode', () => {
    const { server } = room();
    expect(() => inspectUpdate(new Uint8Array([1, 1, 200, 7, 0, 4, 1, 4, 99, 111, 100, 101, 255, 3]), server)).toThrow();
  });
});

describe('measureRoom', () => {
  it('counts 2 bytes per UTF-16 code unit of the code, the title and the language', () => {
    const { server } = room('abc');
    expect(measureRoom(server)).toBe(2 * (3 + 'Demo'.length + 'python'.length));
  });
});
