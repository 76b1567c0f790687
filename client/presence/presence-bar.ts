import { h, replaceChildren } from '../dom.ts';
import { listPeople, type Peer } from './peers.ts';

/** Most names shown before "+N more". */
const MAX_VISIBLE = 8;

/** The list of people in the room with their colours; names are text, never markup. */
export function createPresenceBar(): { element: HTMLElement; render(peers: readonly Peer[]): void } {
  const list = h('ul', { class: 'presence-list' });
  const count = h('span', { class: 'presence-count' });
  const element = h('section', { class: 'presence-bar', 'aria-label': 'People in this room' }, count, list);
  return {
    element,
    render(tabs) {
      // Someone with two tabs open is one person here (their cursors stay two in the editor).
      const peers = listPeople(tabs);
      count.textContent = peers.length === 1 ? 'Only you' : `${peers.length} here`;
      const visible = peers.slice(0, MAX_VISIBLE).map((peer) => {
        const dot = h('span', { class: 'presence-dot', 'aria-hidden': 'true' });
        dot.style.backgroundColor = peer.color;
        const item = h(
          'li',
          { class: peer.isSelf ? 'presence-peer presence-self' : 'presence-peer', 'data-client-id': peer.clientId, title: peer.name },
          dot,
          h('span', { class: 'presence-name' }, peer.name),
          peer.isSelf ? h('span', { class: 'presence-you' }, '(you)') : null,
        );
        return item;
      });
      const hidden = peers.length - MAX_VISIBLE;
      replaceChildren(list, ...visible, hidden > 0 ? h('li', { class: 'presence-more' }, `+${hidden} more`) : null);
    },
  };
}
