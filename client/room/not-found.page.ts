import type { ApiClient } from '../api.ts';
import { h, replaceChildren } from '../dom.ts';
import { createRoomForm } from '../lobby/create-room-form.ts';

/** The page for a room that does not exist (or a malformed link), offering to create one. */
export function renderNotFoundPage(root: HTMLElement, api: ApiClient, options: { what?: string } = {}): void {
  document.title = 'Room not found · Pairpad';
  replaceChildren(
    root,
    h(
      'main',
      { class: 'page page-narrow not-found-page' },
      h('a', { class: 'brand', href: '/' }, h('span', { class: 'brand-text' }, 'Pairpad')),
      h('h1', {}, 'This room does not exist'),
      h(
        'p',
        { class: 'lead' },
        options.what ??
          'The link may be mistyped, or the room was deleted. Check the link with whoever shared it, or start a new room.',
      ),
      h('section', { class: 'card' }, h('h2', {}, 'Start a new room'), createRoomForm(api, { submitLabel: 'Create a new room' })),
      h('p', {}, h('a', { href: '/' }, '← Back to the lobby')),
    ),
  );
}

/** The page for a refusal other than "not found" (a token or access problem). */
export function renderRefusedPage(root: HTMLElement, reason: string): void {
  document.title = 'No access · Pairpad';
  replaceChildren(
    root,
    h(
      'main',
      { class: 'page page-narrow not-found-page' },
      h('a', { class: 'brand', href: '/' }, h('span', { class: 'brand-text' }, 'Pairpad')),
      h('h1', {}, 'You cannot open this room'),
      h('p', { class: 'lead' }, 'The server refused the connection: ', h('q', {}, reason), '.'),
      h('p', {}, h('a', { href: '/' }, '← Back to the lobby')),
    ),
  );
}
