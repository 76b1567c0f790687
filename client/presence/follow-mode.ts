import { EditorView } from '@codemirror/view';
import type { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { AWARENESS_FILE, AWARENESS_FOLLOWING, AWARENESS_WATCHING, FILE_ID_PATTERN, MAX_FOLLOWING_LENGTH } from '../../shared/protocol.ts';
import { h } from '../dom.ts';
import type { EditorController } from '../editor/create-editor.ts';
import { listPeers, type Peer } from './peers.ts';

/** Options of {@link createFollowMode}. */
export interface FollowModeOptions {
  awareness: Awareness;
  editor: EditorController;
  /** Shows a file by id (false when there is none): following someone across files. */
  openFile(fileId: string): boolean;
  /** The id of the file the editor shows. */
  shownFileId(): string;
  /** The presence bar: its people (`[data-client-id]`) are what one clicks to follow. */
  presenceBar: HTMLElement;
  /** This browser's id (`user.id`): how others' `following` names this person. */
  selfKey: string;
  /** Parts of the page where clicking and typing do not stop following (the chat). */
  keepFollowingIn?(): readonly Element[];
  /** Tells the person something (someone started following them). */
  notify?(message: string): void;
}

/** Follow mode, as {@link createFollowMode} builds it. */
export interface FollowMode {
  /** The awareness client id followed, if any. */
  readonly following: number | undefined;
  follow(clientId: number): void;
  stop(): void;
  /** Marks the presence bar again (call after it re-renders). */
  decorate(): void;
  destroy(): void;
}

const MODIFIER_KEYS = new Set(['Shift', 'Control', 'Alt', 'Meta', 'CapsLock']);

/**
 * Follow mode (Live Share's Follow): clicking a person in the presence bar
 * follows them. The editor switches to the file they are in (awareness
 * `file`) and keeps their cursor in view, until this person types, scrolls
 * or clicks anywhere but the presence bar and the chat; clicking them
 * again stops too, and so does their leaving. Whom one follows is
 * published as the awareness field `following` (`shared/protocol.ts`):
 * the followed person's presence bar says "follows you" beside each
 * follower. Watchers (no cursor) can follow but are not followed.
 */
export function createFollowMode(options: FollowModeOptions): FollowMode {
  const { awareness, editor, presenceBar } = options;
  let target: number | undefined;
  let lastPosition = -1;
  let lastFile = '';
  let signature = '';
  const note = h('span', { class: 'follow-note', role: 'status', hidden: true });
  presenceBar.append(note);

  const peerOf = (clientId: number): Peer | undefined => listPeers(awareness.getStates(), awareness.clientID).find((peer) => peer.clientId === clientId);
  const stateOf = (clientId: number) => awareness.getStates().get(clientId) as Record<string, unknown> | undefined;
  const isFollowable = (clientId: number) => {
    const state = stateOf(clientId);
    return clientId !== awareness.clientID && state !== undefined && state[AWARENESS_WATCHING] !== true;
  };
  /** What `following` says for a peer: its browser id, else its client id. */
  const keyOf = (peer: Peer) => (peer.id ?? String(peer.clientId)).slice(0, MAX_FOLLOWING_LENGTH);
  const followsMe = (state: Record<string, unknown> | undefined) => {
    const value = state?.[AWARENESS_FOLLOWING];
    return value === options.selfKey || value === String(awareness.clientID);
  };

  const publish = (value: string | undefined) => {
    const local = awareness.getLocalState();
    if (local === null || local[AWARENESS_FOLLOWING] === value) return;
    const { [AWARENESS_FOLLOWING]: _previous, ...rest } = local;
    awareness.setLocalState(value === undefined ? rest : { ...rest, [AWARENESS_FOLLOWING]: value });
  };

  /** Brings the followed person's file and cursor into view; the first time (and after a switch of file) centred. */
  const track = () => {
    if (target === undefined) return;
    const state = stateOf(target);
    if (state === undefined) {
      mode.stop();
      return;
    }
    const file = state[AWARENESS_FILE];
    if (typeof file === 'string' && FILE_ID_PATTERN.test(file) && file !== options.shownFileId() && options.openFile(file)) lastPosition = -1;
    const shown = options.shownFileId();
    const head = (state.cursor as { head?: unknown } | null | undefined)?.head;
    const doc = editor.ytext.doc;
    if (!head || !doc) return;
    let absolute: Y.AbsolutePosition | null = null;
    try {
      absolute = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(head), doc);
    } catch {
      return; // a malformed cursor from a peer
    }
    if (!absolute || absolute.type !== editor.ytext) return;
    const position = Math.min(absolute.index, editor.view.state.doc.length);
    if (position === lastPosition && shown === lastFile) return;
    const first = lastPosition === -1 || shown !== lastFile;
    lastPosition = position;
    lastFile = shown;
    editor.view.dispatch({ effects: EditorView.scrollIntoView(position, first ? { y: 'center' } : { y: 'nearest', yMargin: 60 }) });
  };

  const onAwareness = () => {
    track();
    // Redraw the bar only when who follows whom changed, not on every cursor move.
    const states = awareness.getStates();
    const followers: number[] = [];
    for (const [clientId, state] of states) if (clientId !== awareness.clientID && followsMe(state as Record<string, unknown>)) followers.push(clientId);
    const next = `${target ?? ''}|${followers.join(',')}`;
    if (next === signature) return;
    const before = new Set(signature.split('|')[1]?.split(',').filter(Boolean).map(Number));
    signature = next;
    for (const clientId of followers) {
      if (before.has(clientId)) continue;
      const peer = peerOf(clientId);
      if (peer && !peer.anonymous) options.notify?.(`${peer.name} is following you`);
    }
    mode.decorate();
  };

  const isInside = (node: EventTarget | null) =>
    node instanceof Node && (presenceBar.contains(node) || (options.keepFollowingIn?.() ?? []).some((element) => element.contains(node)));
  const stopOnInput = (event: Event) => {
    if (target === undefined || isInside(event.target)) return;
    if (event instanceof KeyboardEvent && MODIFIER_KEYS.has(event.key)) return;
    mode.stop();
  };
  document.addEventListener('pointerdown', stopOnInput, true);
  document.addEventListener('keydown', stopOnInput, true);
  document.addEventListener('wheel', stopOnInput, { capture: true, passive: true });
  document.addEventListener('touchmove', stopOnInput, { capture: true, passive: true });

  const choose = (event: Event) => {
    const item = (event.target as Element | null)?.closest?.('[data-client-id]');
    if (!(item instanceof HTMLElement) || !presenceBar.contains(item)) return;
    const clientId = Number(item.dataset.clientId);
    if (!isFollowable(clientId)) return;
    event.preventDefault();
    if (target === clientId) mode.stop();
    else mode.follow(clientId);
  };
  presenceBar.addEventListener('click', choose);
  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'Enter' || event.key === ' ') choose(event);
  };
  presenceBar.addEventListener('keydown', onKey);
  awareness.on('change', onAwareness);

  const mode: FollowMode = {
    get following() {
      return target;
    },
    follow(clientId) {
      const peer = peerOf(clientId);
      if (!peer || !isFollowable(clientId)) return;
      target = clientId;
      lastPosition = -1;
      publish(keyOf(peer));
      track();
      onAwareness();
    },
    stop() {
      if (target === undefined) return;
      target = undefined;
      publish(undefined);
      onAwareness();
    },
    decorate() {
      const states = awareness.getStates();
      for (const item of presenceBar.querySelectorAll<HTMLElement>('[data-client-id]')) {
        const clientId = Number(item.dataset.clientId);
        const name = item.querySelector('.presence-name')?.textContent ?? '';
        if (isFollowable(clientId)) {
          const followed = clientId === target;
          item.setAttribute('role', 'button');
          item.tabIndex = 0;
          item.setAttribute('aria-pressed', String(followed));
          item.title = followed ? `Following ${name}: click to stop` : `Follow ${name}: your view goes where they are`;
          item.classList.toggle('presence-followed', followed);
        }
        const follower = followsMe(states.get(clientId) as Record<string, unknown> | undefined);
        let label = item.querySelector('.presence-follows-you');
        if (follower && !label) item.append(h('span', { class: 'presence-follows-you' }, 'follows you'));
        else if (!follower) label?.remove();
      }
      const followed = target === undefined ? undefined : peerOf(target);
      note.hidden = followed === undefined;
      note.textContent = followed ? `Following ${followed.name} · type, scroll or click to stop` : '';
      // The bar re-renders its list; keep the note after it.
      presenceBar.append(note);
    },
    destroy() {
      awareness.off('change', onAwareness);
      document.removeEventListener('pointerdown', stopOnInput, true);
      document.removeEventListener('keydown', stopOnInput, true);
      document.removeEventListener('wheel', stopOnInput, true);
      document.removeEventListener('touchmove', stopOnInput, true);
      presenceBar.removeEventListener('click', choose);
      presenceBar.removeEventListener('keydown', onKey);
      note.remove();
    },
  };
  mode.decorate();
  return mode;
}
