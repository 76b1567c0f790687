import { describe, expect, it } from 'vitest';
import { describeConnection, SAVING_DELAY_MS, type ConnectionFacts } from '../../../client/room/connection-state.ts';

const facts = (overrides: Partial<ConnectionFacts>): ConnectionFacts => ({
  socket: 'connected',
  synced: true,
  wasConnected: true,
  online: true,
  unsyncedChanges: 0,
  unconfirmedForMs: 0,
  ...overrides,
});

describe('describeConnection', () => {
  it('connected and everything confirmed', () => {
    expect(describeConnection(facts({}))).toMatchObject({ state: 'connected', label: 'Connected', pending: false });
  });

  it('connected with edits waiting past the delay', () => {
    const view = describeConnection(facts({ unsyncedChanges: 2, unconfirmedForMs: SAVING_DELAY_MS }));
    expect(view).toMatchObject({ state: 'connected', label: 'Saving…', pending: true });
    expect(view.detail).toMatch(/not yet confirmed/);
  });

  it('connected with an edit on its round trip: nothing to say yet', () => {
    const view = describeConnection(facts({ unsyncedChanges: 1, unconfirmedForMs: SAVING_DELAY_MS - 1 }));
    expect(view).toMatchObject({ state: 'connected', label: 'Connected', pending: false });
  });

  it('first connection', () => {
    expect(describeConnection(facts({ socket: 'connecting', synced: false, wasConnected: false }))).toMatchObject({
      state: 'connecting',
      label: 'Connecting…',
    });
    expect(describeConnection(facts({ socket: 'connected', synced: false, wasConnected: false, unsyncedChanges: 1 }))).toMatchObject({
      state: 'connecting',
      label: 'Syncing…',
    });
  });

  it('lost connection with local edits', () => {
    const view = describeConnection(facts({ socket: 'disconnected', synced: false, unsyncedChanges: 5 }));
    expect(view).toMatchObject({ state: 'reconnecting', label: 'Reconnecting…', pending: true });
    expect(view.detail).toMatch(/merge/);
  });

  it('browser offline wins over the socket state', () => {
    expect(describeConnection(facts({ online: false, socket: 'connecting', unsyncedChanges: 1 }))).toMatchObject({
      state: 'offline',
      label: 'Offline',
      pending: true,
    });
  });
});
