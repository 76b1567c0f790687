import type { ApiClient } from '../api.ts';
import { h, replaceChildren } from '../dom.ts';
import { LANGUAGE_LABELS } from '../editor/language-names.ts';
import { roomPath } from '../routes.ts';
import type { KeyValueStore } from '../storage.ts';
import { createRoomForm } from './create-room-form.ts';
import { forgetRoom, formatLastVisit, readRecentRooms, type RecentRoom } from './recent-rooms.ts';
import { parseRoomLink } from './room-link.ts';

/** The lobby (`/`): create a room, join one by link or id, reopen a recent one. */
export function renderLobbyPage(root: HTMLElement, deps: { api: ApiClient; store: KeyValueStore; themeToggle: HTMLElement }): void {
  document.title = 'Pairpad';
  const joinInput = h('input', {
    type: 'text',
    name: 'link',
    class: 'field-input',
    placeholder: 'https://…/r/… or a room id',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const joinError = h('p', { class: 'field-error', role: 'alert' });
  const joinForm = h(
    'form',
    { class: 'join-form', 'aria-label': 'Join a room' },
    h('label', { class: 'field field-grow' }, h('span', { class: 'field-label' }, 'Link or room id'), joinInput),
    h('div', { class: 'field field-submit' }, h('button', { type: 'submit', class: 'button' }, 'Join')),
    joinError,
  );
  joinForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const path = parseRoomLink(joinInput.value);
    if (!path) {
      joinError.textContent = 'That is not a Pairpad link or room id.';
      return;
    }
    location.assign(path);
  });

  const recentList = h('ul', { class: 'recent-list' });
  const recentSection = h('section', { class: 'card recent-rooms' }, h('h2', {}, 'Recent rooms'), recentList);
  const renderRecent = (rooms: RecentRoom[]) => {
    recentSection.hidden = rooms.length === 0;
    const now = Date.now();
    replaceChildren(
      recentList,
      ...rooms.map((room) => {
        const forget = h('button', { type: 'button', class: 'button button-small button-quiet', title: 'Remove from this list', 'aria-label': `Remove ${room.title || 'untitled room'} from recent rooms` }, '×');
        forget.addEventListener('click', () => renderRecent(forgetRoom(deps.store, room.roomId)));
        return h(
          'li',
          { class: 'recent-room' },
          h(
            'a',
            { href: roomPath(room.roomId), class: 'recent-link' },
            h('span', { class: 'recent-title' }, room.title || 'Untitled room'),
            h('span', { class: 'recent-meta' }, `${LANGUAGE_LABELS[room.language]} · ${formatLastVisit(room.lastVisit, now)}`),
          ),
          forget,
        );
      }),
    );
  };
  renderRecent(readRecentRooms(deps.store));

  replaceChildren(
    root,
    h(
      'main',
      { class: 'page page-narrow lobby-page' },
      h('header', { class: 'lobby-header' }, h('a', { class: 'brand', href: '/' }, h('span', { class: 'brand-text' }, 'Pairpad')), deps.themeToggle),
      h('h1', {}, 'Pair programming, live in the browser'),
      h('p', { class: 'lead' }, 'Open a room, share the link, and edit the same code together: every keystroke merges, nothing is lost.'),
      h('section', { class: 'card' }, h('h2', {}, 'New room'), createRoomForm(deps.api)),
      h('section', { class: 'card' }, h('h2', {}, 'Join a room'), joinForm),
      recentSection,
    ),
  );
}
