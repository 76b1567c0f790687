import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { trimChat } from '../../../server/collab/chat-trim.extension.ts';
import { CHAT_MAX_TEXT } from '../../../shared/protocol.ts';
import { appendChatMessage, isChatMessage, readChatMessages } from '../../../shared/room-chat.ts';
import { findLayoutProblem } from '../../../shared/room-layout.ts';

const message = { id: 'abcDEF_-09', at: 1_764_900_000_000, name: 'Ada', color: '#0969da', text: 'hi' };

describe('chat messages (shared/room-chat.ts)', () => {
  it('accepts exactly the five keys within their bounds', () => {
    expect(isChatMessage(message)).toBe(true);
    expect(isChatMessage({ ...message, text: 'x'.repeat(CHAT_MAX_TEXT) })).toBe(true);
    expect(isChatMessage({ ...message, name: '' })).toBe(true);
    for (const bad of [
      { ...message, text: 'x'.repeat(CHAT_MAX_TEXT + 1) },
      { ...message, text: '' },
      { ...message, id: '' },
      { ...message, id: 'a b' },
      { ...message, id: 'x'.repeat(65) },
      { ...message, at: Number.NaN },
      { ...message, at: -1 },
      { ...message, name: 'x'.repeat(65) },
      { ...message, color: 1 },
      { ...message, extra: true },
      { id: message.id, at: message.at, name: message.name, color: message.color },
      Object.assign(Object.create({ inherited: 1 }), message),
      [message],
      'hi',
      null,
    ]) expect(isChatMessage(bad)).toBe(false);
  });

  it('appends what the guard takes: long texts are cut, an empty one throws', () => {
    const doc = new Y.Doc();
    const appended = appendChatMessage(doc, { name: 'N'.repeat(100), color: '#0969da', text: 'y'.repeat(CHAT_MAX_TEXT + 5) });
    expect(isChatMessage(appended)).toBe(true);
    expect(appended.text).toHaveLength(CHAT_MAX_TEXT);
    expect(() => appendChatMessage(doc, { name: 'A', color: '#0969da', text: '' })).toThrow();
    expect(readChatMessages(doc)).toEqual([appended]);
    expect(findLayoutProblem(doc)).toBeUndefined();
  });

  it('trims to the newest, and a room without chat is left alone', () => {
    const doc = new Y.Doc();
    expect(trimChat(doc, 3)).toBe(0);
    expect(doc.share.has('chat')).toBe(false);
    for (let i = 0; i < 7; i++) appendChatMessage(doc, { name: 'A', color: '#0969da', text: `m${i}` });
    expect(trimChat(doc, 3)).toBe(4);
    expect(readChatMessages(doc).map((entry) => entry.text)).toEqual(['m4', 'm5', 'm6']);
    expect(trimChat(doc, 3)).toBe(0);
  });
});
