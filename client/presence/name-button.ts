import { h, replaceChildren } from '../dom.ts';
import type { KeyValueStore } from '../storage.ts';
import { saveIdentity, type UserIdentity } from './identity.ts';
import { askDisplayName } from './name-dialog.ts';

/** The name button of {@link createNameButton}. */
export interface NameButton {
  element: HTMLButtonElement;
  /** Shows another colour (the one picked for this room) without storing it. */
  setColor(color: string): void;
}

/**
 * The header button showing this user's name and colour; clicking it asks
 * for a new name, stores it and reports the new identity (with the stored
 * colour: the caller decides which colour the room sees). A watcher who
 * chose to watch without a name (`anonymous`) is offered to give one
 * instead of being shown a guest name nobody else sees.
 */
export function createNameButton(options: {
  store: KeyValueStore;
  identity: UserIdentity;
  /** Watching without a name: no name is shown, and none is suggested. Default false. */
  anonymous?: boolean;
  onChange: (identity: UserIdentity) => void;
}): NameButton {
  let identity = options.identity;
  let anonymous = options.anonymous ?? false;
  let color = identity.color;
  const button = h('button', { type: 'button', class: 'button name-button' });
  const render = () => {
    const dot = h('span', { class: 'presence-dot', 'aria-hidden': 'true' });
    dot.style.backgroundColor = color;
    replaceChildren(button, dot, h('span', { class: 'name-button-text' }, anonymous ? 'Add your name' : identity.name));
    button.title = anonymous ? 'You watch without a name: give one so the people editing see who watches' : 'Change your display name';
    button.setAttribute('aria-label', anonymous ? 'You watch without a name. Add one' : `Your name: ${identity.name}. Change it`);
  };
  button.addEventListener('click', async () => {
    const name = await askDisplayName({ initial: anonymous ? '' : identity.name, cancellable: true });
    if (!name) return;
    identity = saveIdentity(options.store, name);
    anonymous = false;
    render();
    options.onChange(identity);
  });
  render();
  return {
    element: button,
    setColor(next) {
      color = next;
      render();
    },
  };
}
