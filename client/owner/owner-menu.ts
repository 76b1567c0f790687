import { MAX_EDITORS_LIMIT } from '../../shared/protocol.ts';
import type { Room } from '../../shared/schemas/room.schema.ts';
import { ApiError } from '../api.ts';
import { h } from '../dom.ts';
import { confirmAction } from '../files/confirm-dialog.ts';
import type { Peer } from '../presence/peers.ts';
import type { OwnerApi } from './owner-api.ts';

/** Options of {@link createOwnerMenu}. */
export interface OwnerMenuOptions {
  api: OwnerApi;
  /** The room's settings now (`meta.locked`, `meta.maxEditors`), read when the dialog opens. */
  settings(): { locked: boolean; maxEditors?: number };
  /** The people in the room now (others than this tab are offered for removal). */
  peers(): readonly Peer[];
  /** The links were rotated: the room under its new ids. */
  onRotated(room: Room): void;
  /** The room was deleted. */
  onDeleted(): void;
  /** Tells the person what happened or failed. */
  notify(message: string, kind?: 'error'): void;
}

/**
 * The "Owner" button of the header and its dialog, shown only in the browser
 * that holds the room's owner key: lock, participant limit, remove someone,
 * private notes, rotate the links, delete the room (the last two confirmed).
 * Every action is a REST call (`owner-api.ts`); the room's state comes back
 * through the document, which every tab shows.
 */
export function createOwnerMenu(options: OwnerMenuOptions): HTMLElement {
  const failed = (what: string) => (error: unknown) => options.notify(`${what}: ${error instanceof ApiError ? error.message : 'failed'}`, 'error');

  const lock = h('input', { type: 'checkbox', class: 'owner-lock', name: 'locked' });
  lock.addEventListener('change', () => {
    options.api.patch({ locked: lock.checked }).then(
      () => options.notify(lock.checked ? 'Room locked: only you can edit' : 'Room unlocked'),
      failed('Could not change the lock'),
    );
  });

  const limit = h('input', { type: 'number', class: 'field-input owner-limit', name: 'maxEditors', min: 1, max: MAX_EDITORS_LIMIT, placeholder: 'No limit' });
  const applyLimit = h('button', { type: 'button', class: 'button owner-limit-apply' }, 'Apply');
  applyLimit.addEventListener('click', () => {
    const value = limit.value.trim() === '' ? null : Number(limit.value);
    if (value !== null && (!Number.isInteger(value) || value < 1 || value > MAX_EDITORS_LIMIT)) return options.notify(`The limit is a whole number from 1 to ${MAX_EDITORS_LIMIT}`, 'error');
    options.api.patch({ maxEditors: value }).then(() => options.notify(value === null ? 'No participant limit' : `At most ${value} editors`), failed('Could not set the limit'));
  });

  const people = h('ul', { class: 'owner-people' });
  const listPeople = () => {
    people.replaceChildren();
    const others = options.peers().filter((peer) => !peer.isSelf && !peer.anonymous);
    if (others.length === 0) people.append(h('li', { class: 'owner-people-empty' }, 'Nobody else is here.'));
    for (const peer of others) {
      const remove = h('button', { type: 'button', class: 'button button-danger owner-remove' }, 'Remove');
      remove.addEventListener('click', () => {
        // The browser id removes every tab of that person; the client id only this one.
        options.api.remove(peer.id ?? String(peer.clientId)).then(() => options.notify(`${peer.name} was removed`), failed('Could not remove'));
      });
      // The name as text, never HTML: it comes from another browser.
      people.append(h('li', { class: 'owner-person' }, h('span', { class: 'owner-person-name' }, peer.name), remove));
    }
  };

  const notes = h('textarea', { class: 'field-input owner-notes', rows: 8, maxlength: 100 * 1024, 'aria-label': 'Private notes', placeholder: 'Only you see these notes.' });
  const saveNotes = h('button', { type: 'button', class: 'button owner-notes-save' }, 'Save notes');
  saveNotes.addEventListener('click', () => {
    options.api.writeNotes(notes.value).then(() => options.notify('Notes saved'), failed('Could not save the notes'));
  });

  const rotate = h('button', { type: 'button', class: 'button owner-rotate' }, 'New links…');
  rotate.addEventListener('click', async () => {
    const yes = await confirmAction({
      title: 'Make new links?',
      text: 'The edit and view links change; the old ones stop working at once and everyone in the room is disconnected. Share the new links with whoever should stay.',
      confirmLabel: 'Make new links',
    });
    if (!yes) return;
    options.api.rotate().then((room) => {
      dialog.close();
      options.onRotated(room);
    }, failed('Could not make new links'));
  });

  const remove = h('button', { type: 'button', class: 'button button-danger owner-delete' }, 'Delete room…');
  remove.addEventListener('click', async () => {
    const yes = await confirmAction({
      title: 'Delete this room?',
      text: 'The room, its files, runs and your notes are deleted for good, and everyone in it is disconnected.',
      confirmLabel: 'Delete room',
    });
    if (!yes) return;
    options.api.deleteRoom().then(() => {
      dialog.close();
      options.onDeleted();
    }, failed('Could not delete the room'));
  });

  const done = h('button', { type: 'submit', class: 'button button-primary' }, 'Done');
  const form = h(
    'form',
    { method: 'dialog', class: 'dialog-form owner-form' },
    h('h2', { class: 'dialog-title', id: 'owner-dialog-title' }, 'Room owner'),
    h('label', { class: 'field field-check' }, lock, h('span', {}, 'Locked: only you can edit')),
    h('div', { class: 'field' }, h('span', { class: 'field-label' }, 'Editors at most (viewers not counted)'), h('div', { class: 'owner-row' }, limit, applyLimit)),
    h('div', { class: 'field' }, h('span', { class: 'field-label' }, 'People'), people),
    h('div', { class: 'field' }, h('span', { class: 'field-label' }, 'Private notes'), notes, saveNotes),
    h('div', { class: 'dialog-actions' }, rotate, remove, done),
  );
  const dialog = h('dialog', { class: 'dialog owner-dialog', 'aria-labelledby': 'owner-dialog-title' }, form);
  const button = h('button', { type: 'button', class: 'button owner-button', title: 'Owner controls' }, 'Owner');
  button.addEventListener('click', () => {
    const settings = options.settings();
    lock.checked = settings.locked;
    limit.value = settings.maxEditors === undefined ? '' : String(settings.maxEditors);
    listPeople();
    if (!dialog.isConnected) document.body.append(dialog);
    dialog.showModal();
    options.api.readNotes().then((text) => {
      if (document.activeElement !== notes) notes.value = text;
    }, failed('Could not read the notes'));
  });
  return button;
}
