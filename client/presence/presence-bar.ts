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
      const everyone = listPeople(tabs);
      const editing = everyone.filter((peer) => !peer.watching);
      const watching = everyone.filter((peer) => peer.watching);
      const alone = everyone.length === 1 && everyone[0].isSelf && !everyone[0].watching;
      count.textContent = alone ? 'Only you' : [editing.length > 0 ? `${editing.length} here` : '', watching.length > 0 ? `${watching.length} watching` : ''].filter(Boolean).join(' · ');
      // Watchers who gave a name are listed after the editors; the others are only counted.
      const peers = [...editing, ...watching.filter((peer) => !peer.anonymous || peer.isSelf)];
      const visible = peers.slice(0, MAX_VISIBLE).map((peer) => {
        const dot = h('span', { class: 'presence-dot', 'aria-hidden': 'true' });
        dot.style.backgroundColor = peer.color;
        const classes = ['presence-peer', peer.isSelf ? 'presence-self' : '', peer.watching ? 'presence-watcher' : ''].filter(Boolean).join(' ');
        const note = peer.isSelf ? (peer.anonymous ? '(watching)' : peer.watching ? '(you, watching)' : '(you)') : peer.watching ? '(watching)' : '';
        const item = h(
          'li',
          { class: classes, 'data-client-id': peer.clientId, title: peer.watching ? `${peer.name} is watching` : peer.name },
          dot,
          h('span', { class: 'presence-name' }, peer.anonymous ? 'You' : peer.name),
          note ? h('span', { class: 'presence-you' }, note) : null,
          peer.owner ? h('span', { class: 'presence-owner', title: 'Owns the room' }, 'owner') : null,
        );
        return item;
      });
      const hidden = peers.length - MAX_VISIBLE;
      replaceChildren(list, ...visible, hidden > 0 ? h('li', { class: 'presence-more' }, `+${hidden} more`) : null);
    },
  };
}
