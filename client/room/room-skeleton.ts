import { h, replaceChildren } from '../dom.ts';

/** Lines of the empty editor outline. */
const SKELETON_LINES = 12;

/**
 * A still outline of the room page (the top bar, the room's title, an
 * editor's lines) shown from the first paint while the editor's chunk and
 * the room load, and behind the first-visit name dialog, so neither sits on
 * a blank page; the room page replaces it. `title` is undefined while the
 * room is not known yet (nothing is shown rather than a wrong title).
 * Styles: `styles/skeleton.css`.
 */
export function renderRoomSkeleton(root: HTMLElement, title?: string): void {
  replaceChildren(
    root,
    h(
      'div',
      { class: 'room-page room-skeleton', 'aria-hidden': 'true' },
      h(
        'header',
        { class: 'topbar' },
        h('span', { class: 'brand' }, h('span', { class: 'brand-text' }, 'Pairpad')),
        h('span', { class: 'room-skeleton-title' }, title === undefined ? '' : title || 'Untitled room'),
      ),
      h('main', { class: 'editor-main room-skeleton-editor' }, ...Array.from({ length: SKELETON_LINES }, () => h('div', { class: 'room-skeleton-line' }))),
    ),
  );
}
