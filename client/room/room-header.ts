import { MAX_TITLE_LENGTH, toLanguage, type Language } from '../../shared/protocol.ts';
import { h } from '../dom.ts';
import { listLanguageOptions } from '../editor/language-names.ts';

/** The room page's top bar. */
export interface RoomHeader {
  element: HTMLElement;
  /** Shows the room's language and title (the title only while the field is not being edited). */
  show(meta: { language: Language; title: string }): void;
}

/** Options of {@link createRoomHeader}. */
export interface RoomHeaderOptions {
  readOnly: boolean;
  /** The user changed the language in the menu. */
  onLanguage(language: Language): void;
  /** The user committed a new title (blur or Enter). */
  onTitle(title: string): void;
  /** Enter in the title field: back to the editor. */
  onDone(): void;
  /** The name button: first after the title, so it stays on the first row on phones. */
  nameButton: HTMLElement;
  /** Status, share, export and theme controls, in order. */
  tools: (HTMLElement | null)[];
}

/** Builds the top bar: brand, editable title, read-only badge, language menu and tools. */
export function createRoomHeader(options: RoomHeaderOptions): RoomHeader {
  const titleInput = h('input', {
    type: 'text',
    class: 'room-title',
    'aria-label': 'Room title',
    placeholder: 'Untitled room',
    maxlength: MAX_TITLE_LENGTH,
    disabled: options.readOnly,
  });
  titleInput.addEventListener('change', () => options.onTitle(titleInput.value.trim().slice(0, MAX_TITLE_LENGTH)));
  titleInput.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    options.onDone();
  });

  const languageSelect = h('select', { class: 'language-select', 'aria-label': 'Language', disabled: options.readOnly });
  for (const option of listLanguageOptions()) languageSelect.append(h('option', { value: option.value }, option.label));
  languageSelect.addEventListener('change', () => options.onLanguage(toLanguage(languageSelect.value)));

  const element = h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'brand', href: '/', title: 'Back to the lobby', 'aria-label': 'Pairpad lobby' }, h('span', { class: 'brand-text' }, 'Pairpad')),
    titleInput,
    options.readOnly ? h('span', { class: 'badge badge-readonly', title: 'This link can watch but not edit' }, 'Read-only') : null,
    options.nameButton,
    h('div', { class: 'toolbar' }, languageSelect, ...options.tools),
  );
  return {
    element,
    show({ language, title }) {
      languageSelect.value = language;
      if (document.activeElement !== titleInput) titleInput.value = title;
    },
  };
}
