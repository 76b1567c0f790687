import { h, replaceChildren } from '../dom.ts';

/** Lines of the empty editor outline. */
const SKELETON_LINES = 12;

/**
 * A still outline of the room page (the top bar, the room's title, an
 * editor's lines) shown behind the first-visit name dialog, so the dialog
 * does not sit on a blank page; the room page replaces it once the name is
 * chosen. Styles: `styles/skeleton.css`.
 */
export function renderRoomSkeleton(root: HTMLElement, title: string): void {
  replaceChildren(
    root,
    h(
      'div',
      { class: 'room-page room-skeleton', 'aria-hidden': 'true' },
      h(
        'header',
        { class: 'topbar' },
        h('span', { class: 'brand' }, h('span', { class: 'brand-text' }, 'Pairpad')),
        h('span', { class: 'room-skeleton-title' }, title || 'Untitled room'),
      ),
      h('main', { class: 'editor-main room-skeleton-editor' }, ...Array.from({ length: SKELETON_LINES }, () => h('div', { class: 'room-skeleton-line' }))),
    ),
  );
}
