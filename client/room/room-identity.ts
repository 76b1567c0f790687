import type { Awareness } from 'y-protocols/awareness';
import { AWARENESS_WATCHING } from '../../shared/protocol.ts';
import type { PresenceTracker } from '../presence/awareness-users.ts';
import { loadBrowserId } from '../presence/browser-id.ts';
import { chooseJoinColor, loadIdentity, pickUserColor, saveIdentity, suggestGuestName, toLightColor, type UserIdentity } from '../presence/identity.ts';
import { createNameButton } from '../presence/name-button.ts';
import { askDisplayName } from '../presence/name-dialog.ts';
import type { KeyValueStore } from '../storage.ts';
import { renderRoomSkeleton } from './room-skeleton.ts';

/** Who opens the room: the stored name, or the one just asked for. */
export interface ChosenIdentity {
  identity: UserIdentity;
  /** A watcher who gave no name: counted by the editors, not named. */
  anonymous: boolean;
}

/**
 * The name this browser keeps, or else asks for one over the room's
 * outline (`title`). An editor must give a name (a guest name is
 * suggested); a watcher may decline, and then watches anonymously.
 */
export async function loadOrAskIdentity(options: { root: HTMLElement; store: KeyValueStore; readOnly: boolean; title: string }): Promise<ChosenIdentity> {
  const { root, store, readOnly } = options;
  const stored = loadIdentity(store);
  if (stored) return { identity: stored, anonymous: false };
  // The page's outline behind the dialog, not a blank page.
  renderRoomSkeleton(root, options.title);
  if (!readOnly) {
    const name = (await askDisplayName({ initial: suggestGuestName(), cancellable: false })) ?? suggestGuestName();
    return { identity: saveIdentity(store, name), anonymous: false };
  }
  // Watching: a name is optional, and the dialog says what it is for.
  const name = await askDisplayName({
    initial: '',
    cancellable: true,
    cancelLabel: 'Watch without a name',
    text: 'The people editing see that someone is watching. Give a name if you want them to see who; it is stored in this browser only.',
  });
  if (name !== undefined) return { identity: saveIdentity(store, name), anonymous: false };
  const color = pickUserColor();
  return { identity: { name: suggestGuestName(), color, colorLight: toLightColor(color) }, anonymous: true };
}

/** This tab as the others in the room see it. */
export interface RoomIdentity {
  /** The header's button to change the name (and give one, when anonymous). */
  nameButton: HTMLElement;
  /** The same in every tab of this browser: others see one person (browser-id.ts). */
  browserId: string;
  name(): string;
  /** The colour in this room, which may differ from the stored preference (see {@link RoomIdentity.chooseRoomColor}). */
  color(): string;
  anonymous(): boolean;
  /**
   * Picks the colour for this room, once, on the first sync: the server
   * sends the awareness of those already in the room before it answers the
   * sync, so their colours are known by then. Later arrivals adapt to us,
   * not the other way round.
   */
  chooseRoomColor(): void;
}

/** Publishes `chosen` in the room's awareness, and keeps it published as the person renames. */
export function publishRoomIdentity(options: {
  store: KeyValueStore;
  readOnly: boolean;
  awareness: Awareness;
  presence: PresenceTracker;
  chosen: ChosenIdentity;
}): RoomIdentity {
  const { store, readOnly, awareness, presence } = options;
  let { identity, anonymous } = options.chosen;
  // The stored colour is the preference; the room may get another one (see chooseRoomColor).
  let roomColor = identity.color;
  const browserId = loadBrowserId(store);
  const publishUser = (user: UserIdentity) => {
    // Watchers say so; the server passes on nothing else of theirs but the name (room-gate.extension.ts).
    if (readOnly) awareness.setLocalStateField(AWARENESS_WATCHING, true);
    if (!anonymous) presence.setUser({ ...user, id: browserId, color: roomColor, colorLight: toLightColor(roomColor) });
  };
  publishUser(identity);
  const nameButton = createNameButton({
    store,
    identity,
    anonymous,
    onChange: (user) => {
      identity = user;
      anonymous = false;
      publishUser(user);
    },
  });
  let colorChosen = false;
  const chooseRoomColor = () => {
    if (colorChosen) return;
    colorChosen = true;
    const others = presence.peers.filter((peer) => !peer.isSelf);
    // Another tab of this browser is already here: be the same person, in the same colour.
    const myOtherTab = others.find((peer) => peer.id === browserId);
    const taken = others.filter((peer) => peer.id !== browserId).map((peer) => peer.color);
    const color = myOtherTab?.color ?? chooseJoinColor(identity.color, taken);
    if (color === roomColor) return;
    roomColor = color;
    publishUser(identity);
    nameButton.setColor(color);
  };
  return {
    nameButton: nameButton.element,
    browserId,
    name: () => identity.name,
    color: () => roomColor,
    anonymous: () => anonymous,
    chooseRoomColor,
  };
}
