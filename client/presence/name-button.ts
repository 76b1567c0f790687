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
 * colour: the caller decides which colour the room sees).
 */
export function createNameButton(options: {
  store: KeyValueStore;
  identity: UserIdentity;
  onChange: (identity: UserIdentity) => void;
}): NameButton {
  let identity = options.identity;
  let color = identity.color;
  const button = h('button', { type: 'button', class: 'button name-button', title: 'Change your display name' });
  const render = () => {
    const dot = h('span', { class: 'presence-dot', 'aria-hidden': 'true' });
    dot.style.backgroundColor = color;
    replaceChildren(button, dot, h('span', { class: 'name-button-text' }, identity.name));
    button.setAttribute('aria-label', `Your name: ${identity.name}. Change it`);
  };
  button.addEventListener('click', async () => {
    const name = await askDisplayName({ initial: identity.name, cancellable: true });
    if (!name) return;
    identity = saveIdentity(options.store, name);
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
