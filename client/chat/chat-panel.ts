import type * as Y from 'yjs';
import { CHAT_MAX_TEXT } from '../../shared/protocol.ts';
import { appendChatMessage, chatArray, isChatMessage, type ChatMessage } from '../../shared/room-chat.ts';
import { h, replaceChildren } from '../dom.ts';
import { icon } from '../icons.ts';
import { isUserColor } from '../presence/identity.ts';
import { renderChatText } from './chat-text.ts';

/** Options of {@link createChatPanel}. */
export interface ChatPanelOptions {
  doc: Y.Doc;
  /** The name and colour to sign a message with, read when it is sent. */
  author(): { name: string; color: string };
  /** Whether the first sync is done: messages that arrive with it are history, not news for the badge. */
  isSynced(): boolean;
}

/** The room's chat: a panel beside the editor and the header button that opens it. */
export interface ChatPanel {
  /** The header button: opens and closes the panel; carries the unread badge. */
  readonly toggle: HTMLButtonElement;
  /** The panel (hidden while closed). */
  readonly element: HTMLElement;
  readonly isOpen: boolean;
  setOpen(open: boolean): void;
  /**
   * Whether this person may write (a locked room: only its owner); when
   * not, the box is disabled and `reason` says why. Reading goes on.
   */
  setCanSend(canSend: boolean, reason?: string): void;
  destroy(): void;
}

/**
 * The chat panel (`shared/protocol.ts`, "Chat"): the messages with author,
 * colour and time, links clickable, all built as DOM nodes from the
 * message's plain text; a box that sends on Enter (Shift+Enter for a new
 * line) and shows the {@link CHAT_MAX_TEXT}-character limit; and an unread
 * badge on the header button while the panel is closed. The list follows
 * the array's changes one by one (appends, and the server's trims of the
 * oldest), so a long chat is not redrawn per message.
 */
export function createChatPanel(options: ChatPanelOptions): ChatPanel {
  const chat = chatArray(options.doc);
  let open = false;
  let unread = 0;

  const badge = h('span', { class: 'chat-badge', hidden: true, 'aria-hidden': 'true' });
  const toggle = h(
    'button',
    { type: 'button', class: 'button chat-toggle', 'aria-expanded': 'false', 'aria-controls': 'chat-panel', title: 'Chat with everyone in the room' },
    icon('chat'),
    // Icon only on narrow windows, like the other header buttons.
    h('span', { class: 'button-text' }, 'Chat'),
    badge,
  );
  const list = h('ol', { class: 'chat-messages', 'aria-live': 'polite', 'aria-label': 'Messages' });
  const empty = h('p', { class: 'chat-empty' }, 'No messages yet. Say hello.');
  const input = h('textarea', {
    class: 'chat-input',
    rows: 2,
    maxlength: CHAT_MAX_TEXT,
    'aria-label': 'Message',
    placeholder: 'Message everyone (Enter sends, Shift+Enter for a new line)',
  });
  const counter = h('span', { class: 'chat-counter', 'aria-live': 'off' });
  const send = h('button', { type: 'submit', class: 'button button-primary chat-send' }, 'Send');
  const form = h('form', { class: 'chat-form' }, input, h('div', { class: 'chat-form-row' }, counter, send));
  const closeButton = h('button', { type: 'button', class: 'button chat-close', title: 'Close the chat', 'aria-label': 'Close the chat' }, '×');
  const element = h(
    'aside',
    { class: 'chat-panel', id: 'chat-panel', 'aria-label': 'Chat', hidden: true },
    h('div', { class: 'chat-head' }, h('h2', { class: 'chat-title' }, 'Chat'), closeButton),
    empty,
    list,
    form,
  );

  /** One entry per item of the array, in order (a non-message holds an empty, hidden entry). */
  const entries: HTMLElement[] = [];

  const showBadge = () => {
    badge.hidden = unread === 0;
    badge.textContent = unread > 99 ? '99+' : String(unread);
    toggle.setAttribute('aria-label', unread === 0 ? 'Chat' : `Chat, ${unread} unread`);
    toggle.classList.toggle('chat-toggle-unread', unread > 0);
  };
  const showCounter = () => {
    const length = input.value.length;
    counter.textContent = `${length} / ${CHAT_MAX_TEXT}`;
    counter.classList.toggle('chat-counter-near', length > CHAT_MAX_TEXT * 0.9);
  };
  const nearBottom = () => list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const scrollToEnd = () => {
    list.scrollTop = list.scrollHeight;
  };

  const apply = (delta: { insert?: unknown[] | string; retain?: number; delete?: number }[], countUnread: boolean) => {
    const follow = nearBottom();
    let index = 0;
    let added = 0;
    for (const op of delta) {
      if (op.retain !== undefined) index += op.retain;
      else if (op.delete !== undefined) {
        for (const entry of entries.splice(index, op.delete)) entry.remove();
      } else if (Array.isArray(op.insert)) {
        const created = op.insert.map(renderEntry);
        const before = entries[index] ?? null;
        for (const entry of created) list.insertBefore(entry, before);
        entries.splice(index, 0, ...created);
        index += created.length;
        added += op.insert.filter(isChatMessage).length;
      }
    }
    empty.hidden = entries.some((entry) => !entry.hidden);
    if (countUnread && !open && added > 0) {
      unread += added;
      showBadge();
    }
    if (follow || !countUnread) scrollToEnd();
  };

  const observer = (event: Y.YArrayEvent<unknown>) => {
    // Our own messages and the history that comes with the first sync are no news.
    apply(event.changes.delta as never, !event.transaction.local && options.isSynced());
  };
  chat.observe(observer);
  apply([{ insert: chat.toArray() }], false);

  const sendMessage = () => {
    const text = input.value.trim() === '' ? '' : input.value.replace(/\s+$/, '');
    if (text === '' || input.disabled) return;
    appendChatMessage(options.doc, { ...options.author(), text });
    input.value = '';
    showCounter();
    scrollToEnd();
  };
  input.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    sendMessage();
  });
  input.addEventListener('input', showCounter);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    sendMessage();
    input.focus();
  });

  const panel: ChatPanel = {
    toggle,
    element,
    get isOpen() {
      return open;
    },
    setOpen(next) {
      open = next;
      element.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
      if (open) {
        unread = 0;
        showBadge();
        scrollToEnd();
        input.focus();
      }
    },
    setCanSend(canSend, reason) {
      input.disabled = !canSend;
      send.disabled = !canSend;
      input.placeholder = canSend ? 'Message everyone (Enter sends, Shift+Enter for a new line)' : (reason ?? 'You cannot write here');
    },
    destroy() {
      chat.unobserve(observer);
    },
  };
  toggle.addEventListener('click', () => panel.setOpen(!open));
  closeButton.addEventListener('click', () => {
    panel.setOpen(false);
    toggle.focus();
  });
  element.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    panel.setOpen(false);
    toggle.focus();
  });
  showBadge();
  showCounter();
  return panel;
}

/** One message as a list entry: author (in their colour, when it is one of ours), time, text. */
function renderEntry(value: unknown): HTMLElement {
  if (!isChatMessage(value)) return h('li', { hidden: true });
  const message: ChatMessage = value;
  const dot = h('span', { class: 'chat-dot', 'aria-hidden': 'true' });
  const name = h('span', { class: 'chat-author' }, message.name.trim() || 'Someone');
  // Only palette colours are painted (set through the CSSOM, never as markup).
  if (isUserColor(message.color)) {
    dot.style.backgroundColor = message.color;
    name.style.color = message.color;
  }
  const at = new Date(message.at);
  const time = h('time', { class: 'chat-time', datetime: Number.isNaN(at.getTime()) ? undefined : at.toISOString(), title: at.toLocaleString() }, formatTime(at));
  const text = h('p', { class: 'chat-text' });
  replaceChildren(text, ...renderChatText(message.text));
  return h('li', { class: 'chat-message', 'data-message-id': message.id }, h('div', { class: 'chat-meta' }, dot, name, time), text);
}

function formatTime(at: Date): string {
  if (Number.isNaN(at.getTime())) return '';
  const today = new Date();
  const sameDay = at.toDateString() === today.toDateString();
  return sameDay ? at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : at.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}
