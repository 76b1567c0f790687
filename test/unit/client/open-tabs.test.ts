import { describe, expect, it } from 'vitest';
import { readOpenTabs, saveOpenTabs } from '../../../client/files/open-tabs.ts';
import { createMemoryStore } from '../../../client/storage.ts';

describe('the open tabs of a browser tab', () => {
  it('start with the entry file and come back as saved, per room', () => {
    const store = createMemoryStore();
    expect(readOpenTabs(store, 'room-a')).toEqual({ open: ['code'], active: 'code' });
    saveOpenTabs(store, 'room-a', { open: ['code', 'abc123'], active: 'abc123' });
    expect(readOpenTabs(store, 'room-a')).toEqual({ open: ['code', 'abc123'], active: 'abc123' });
    expect(readOpenTabs(store, 'room-b')).toEqual({ open: ['code'], active: 'code' });
  });

  it('read anything malformed as the default, and drop ids that are not file ids', () => {
    const store = createMemoryStore();
    for (const stored of ['{', 'null', '42', '{"open":"x"}', '{"open":[]}', '{"open":[1,2]}']) {
      store.setItem('pairpad.tabs.r', stored);
      expect(readOpenTabs(store, 'r')).toEqual({ open: ['code'], active: 'code' });
    }
    store.setItem('pairpad.tabs.r', JSON.stringify({ open: ['a/b', 'ok_1', 'ok_1', '<x>'], active: 'gone' }));
    expect(readOpenTabs(store, 'r')).toEqual({ open: ['ok_1'], active: 'ok_1' });
  });
});
