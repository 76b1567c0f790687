import { DEFAULT_LANGUAGE, MAX_TITLE_LENGTH, toLanguage } from '../../shared/protocol.ts';
import { ApiError, type ApiClient } from '../api.ts';
import { h } from '../dom.ts';
import { listLanguageOptions } from '../editor/language-names.ts';
import { roomPath, viewPath } from '../routes.ts';

/** The "new room" form (lobby and room-not-found page): creates a room and opens it. */
export function createRoomForm(api: ApiClient, options: { submitLabel?: string } = {}): HTMLFormElement {
  const language = h('select', { name: 'language', class: 'field-input' });
  for (const option of listLanguageOptions()) {
    language.append(h('option', { value: option.value, selected: option.value === DEFAULT_LANGUAGE }, option.label));
  }
  const title = h('input', { type: 'text', name: 'title', class: 'field-input', maxlength: MAX_TITLE_LENGTH, placeholder: 'e.g. Interview, Tuesday' });
  const submit = h('button', { type: 'submit', class: 'button button-primary' }, options.submitLabel ?? 'Create room');
  const error = h('p', { class: 'field-error', role: 'alert' });
  const form = h(
    'form',
    { class: 'create-room-form', 'aria-label': 'Create a room' },
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Language'), language),
    h('label', { class: 'field field-grow' }, h('span', { class: 'field-label' }, 'Title (optional)'), title),
    h('div', { class: 'field field-submit' }, submit),
    error,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    error.textContent = '';
    try {
      const room = await api.createRoom({ language: toLanguage(language.value), title: title.value.trim() });
      // The owner key rides in the fragment: the room page keeps it in this browser and drops it from the address bar.
      location.assign(room.roomId ? `${roomPath(room.roomId)}${room.ownerKey ? `#owner=${room.ownerKey}` : ''}` : viewPath(room.viewId));
    } catch (failure) {
      error.textContent = failure instanceof ApiError ? `Could not create the room: ${failure.message}` : 'Could not create the room.';
      submit.disabled = false;
    }
  });
  return form;
}
