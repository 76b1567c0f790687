import type { Extension } from '@codemirror/state';
import { ApiError } from '../api.ts';
import { h, replaceChildren } from '../dom.ts';
import { confirmAction } from '../files/confirm-dialog.ts';
import type { BlameController } from './blame-controller.ts';
import type { HistoryApi, HistoryVersion, PlaybackChange } from './history-api.ts';
import { HistoryViewer } from './history-viewer.ts';
import { delayBefore, Playback } from './playback.ts';

/** What the room page gives the history panel. */
export interface HistoryPanelOptions {
  api: HistoryApi;
  /** The id the page opened the room with (edit or view id): reads go through it. */
  roomId: string;
  /** The edit id, when the page may label and restore; absent on the view page. */
  editRoomId: string | undefined;
  /** Every file of the room as it is now, path to text. */
  currentFiles(): Map<string, string>;
  /** The path of the file the editor shows: the one the panel opens on. */
  shownPath(): string;
  /** The editor theme, for the panel's views. */
  theme(): Extension;
  /** The editor's blame gutter (made after the panel, with the editor). */
  blame(): BlameController;
  notify(message: string, kind?: 'error' | 'info'): void;
  /** The person using the page, recorded as the author of a restore. */
  me(): { name: string; color: string };
}

export interface HistoryPanel {
  readonly isOpen: boolean;
  open(): Promise<void>;
  close(): void;
  destroy(): void;
}

const SPEEDS = [1, 2, 4, 8, 16] as const;
const NOW = 'now';

function formatTime(at: string): string {
  const date = new Date(at);
  return new Date().toDateString() === date.toDateString() ? date.toLocaleTimeString() : date.toLocaleString();
}

function authorChip(author: { name: string; color: string }): HTMLElement {
  const chip = h('span', { class: 'history-author' }, author.name);
  chip.style.setProperty('--author-color', author.color);
  return chip;
}

/**
 * The history panel: a timeline over the room's whole life, played back
 * keystroke by keystroke at 1×–16× in the authors' colours, the list of
 * versions (labelled ones stand out), two versions side by side, restore
 * (with a confirmation) and a label for the current state, and the switch
 * of the editor's blame gutter. Viewers browse, play and compare; only
 * editors label and restore.
 */
export function createHistoryPanel(options: HistoryPanelOptions & { button: HTMLElement }): HistoryPanel {
  const button = options.button;
  const readOnly = options.editRoomId === undefined;
  const viewer = new HistoryViewer(options.theme);
  const status = h('p', { class: 'history-status', role: 'status' }, '');
  const playButton = h('button', { type: 'button', class: 'button history-play', 'aria-label': 'Play' }, 'Play');
  const speedSelect = h('select', { class: 'field-input history-speed', 'aria-label': 'Playback speed' });
  for (const speed of SPEEDS) speedSelect.append(h('option', { value: String(speed) }, `${speed}×`));
  const slider = h('input', { type: 'range', class: 'history-slider', min: 0, max: 0, step: 1, value: 0, 'aria-label': 'Position in the history' });
  const position = h('span', { class: 'history-position' }, '');
  const fileSelect = h('select', { class: 'field-input history-file', 'aria-label': 'File' });
  const versionList = h('ol', { class: 'history-versions', 'aria-label': 'Versions' });
  const compareA = h('select', { class: 'field-input', 'aria-label': 'Older version' });
  const compareB = h('select', { class: 'field-input', 'aria-label': 'Newer version' });
  const compareButton = h('button', { type: 'button', class: 'button history-compare' }, 'Compare');
  const backButton = h('button', { type: 'button', class: 'button history-back', hidden: true }, 'Back to playback');
  const blameButton = h('button', { type: 'button', class: 'button history-blame', 'aria-pressed': 'false', title: 'Show who wrote each line in the editor' }, 'Blame');
  const closeButton = h('button', { type: 'button', class: 'button history-close', 'aria-label': 'Close history' }, 'Close');
  const labelInput = h('input', { type: 'text', class: 'field-input', maxlength: 200, placeholder: 'e.g. before the refactor', 'aria-label': 'Label' });
  const labelForm = h('form', { class: 'history-label-form' }, labelInput, h('button', { type: 'submit', class: 'button' }, 'Label this version'));

  const element = h(
    'section',
    { class: 'history-panel', role: 'dialog', 'aria-modal': 'false', 'aria-label': 'History', hidden: true },
    h('div', { class: 'history-bar' }, h('h2', { class: 'history-title' }, 'History'), status, blameButton, closeButton),
    h('div', { class: 'history-controls' }, playButton, speedSelect, slider, position),
    h(
      'div',
      { class: 'history-body' },
      h('aside', { class: 'history-side' }, versionList, readOnly ? null : labelForm, h('div', { class: 'history-compare-form' }, compareA, compareB, compareButton, backButton)),
      h('div', { class: 'history-main' }, fileSelect, viewer.element),
    ),
  );

  let playback: Playback | undefined;
  let versions: HistoryVersion[] = [];
  let shownPath = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  let loading = 0;

  const knownPaths = () => [...(playback?.current.keys() ?? [])].sort();
  const fillFileSelect = () => {
    const paths = knownPaths();
    if (paths.join('\n') === [...fileSelect.options].map((option) => option.value).join('\n')) return;
    replaceChildren(fileSelect, ...paths.map((path) => h('option', { value: path }, path)));
    fileSelect.value = shownPath;
  };
  const showPosition = (change?: PlaybackChange) => {
    if (!playback) return;
    slider.value = String(playback.position);
    const last = change ?? playback.changes[playback.position - 1];
    replaceChildren(position, last ? formatTime(last.at) : 'The start', last ? ' · ' : '', last ? authorChip(last.author) : '');
    position.dataset.position = String(playback.position);
  };
  const render = () => {
    if (!playback) return;
    fillFileSelect();
    viewer.show(shownPath, playback.text(shownPath));
    showPosition();
  };

  const pause = () => {
    clearTimeout(timer);
    timer = undefined;
    playButton.textContent = 'Play';
    playButton.setAttribute('aria-label', 'Play');
    element.dataset.playing = 'false';
  };
  const playNext = () => {
    if (!playback) return;
    const change = playback.step();
    if (!change) return pause();
    if (change.file !== shownPath) {
      // Follow the typing into the file it happens in.
      shownPath = change.file;
      render();
    } else {
      viewer.apply(change);
      showPosition(change);
    }
    if (playback.position >= playback.length) return pause();
    timer = setTimeout(playNext, delayBefore(playback.changes, playback.position, Number(speedSelect.value)));
  };
  const play = () => {
    if (!playback || playback.length === 0) return;
    if (playback.position >= playback.length) {
      playback.seek(0);
      render();
    }
    viewer.leaveCompare();
    backButton.hidden = true;
    playButton.textContent = 'Pause';
    playButton.setAttribute('aria-label', 'Pause');
    element.dataset.playing = 'true';
    timer = setTimeout(playNext, 0);
  };

  const versionName = (version: HistoryVersion) => (version.label ? `${version.label} (${formatTime(version.at)})` : formatTime(version.at));
  const renderVersions = () => {
    replaceChildren(
      versionList,
      ...[...versions].reverse().map((version) => {
        const jump = h(
          'button',
          { type: 'button', class: 'history-version-jump', title: 'Show the room at this version' },
          h('span', { class: 'history-version-time' }, formatTime(version.at)),
          version.label ? h('span', { class: 'history-version-label' }, version.label) : null,
          h('span', { class: 'history-version-authors' }, ...version.authors.map(authorChip)),
          h('span', { class: 'history-version-chars' }, `${version.chars} chars`),
        );
        jump.addEventListener('click', () => {
          if (!playback) return;
          pause();
          playback.seek(playback.positionAt(version.at));
          render();
        });
        const restore = readOnly ? null : h('button', { type: 'button', class: 'button history-restore', title: 'Make the room equal to this version' }, 'Restore');
        restore?.addEventListener('click', () => void restoreVersion(version));
        return h('li', { class: `history-version${version.label ? ' history-version-labelled' : ''}`, 'data-version-id': version.versionId }, jump, restore);
      }),
    );
    const choices = versions.map((version) => h('option', { value: version.versionId }, versionName(version)));
    replaceChildren(compareA, ...choices.map((option) => option.cloneNode(true)));
    replaceChildren(compareB, h('option', { value: NOW }, 'Now'), ...[...choices].reverse());
    if (versions.length > 0) compareA.value = versions.at(-1)!.versionId;
  };

  const load = async () => {
    const request = ++loading;
    pause();
    status.textContent = 'Loading history…';
    element.dataset.state = 'loading';
    try {
      const list = await options.api.versions(options.roomId);
      const first = list[0];
      if (!first) {
        status.textContent = 'No history yet.';
        return;
      }
      const [start, changes] = await Promise.all([
        options.api.version(options.roomId, first.versionId),
        options.api.playback(options.roomId, first.versionId, new Date(Date.now() + 1_000).toISOString()),
      ]);
      if (request !== loading) return;
      versions = list;
      playback = new Playback(new Map(start.files.map((file) => [file.path, file.content])), changes);
      playback.seek(playback.length);
      slider.max = String(playback.length);
      shownPath = playback.current.has(options.shownPath()) ? options.shownPath() : (knownPaths()[0] ?? '');
      renderVersions();
      render();
      status.textContent = `${versions.length} version${versions.length === 1 ? '' : 's'}, ${changes.length} changes`;
      element.dataset.state = 'ready';
    } catch (error) {
      if (request !== loading) return;
      status.textContent = `History could not be loaded: ${error instanceof Error ? error.message : String(error)}`;
      element.dataset.state = 'failed';
    }
  };

  const restoreVersion = async (version: HistoryVersion) => {
    if (!options.editRoomId) return;
    const confirmed = await confirmAction({
      title: 'Restore this version?',
      text: `Every file becomes as it was at ${versionName(version)}, for everyone in the room. The change is kept in the history, so it can be undone by restoring again.`,
      confirmLabel: 'Restore',
    });
    if (!confirmed) return;
    try {
      await options.api.restore(options.editRoomId, version.versionId, options.me());
      options.notify(`Restored the version of ${formatTime(version.at)}.`, 'info');
      await load();
    } catch (error) {
      options.notify(error instanceof ApiError ? error.message : 'The version could not be restored.', 'error');
    }
  };

  const compare = async () => {
    pause();
    const [from, to] = [compareA.value, compareB.value];
    try {
      const contentOf = async (id: string) => (id === NOW ? options.currentFiles() : new Map((await options.api.version(options.roomId, id)).files.map((file) => [file.path, file.content])));
      const [a, b] = await Promise.all([contentOf(from), contentOf(to)]);
      const path = fileSelect.value || shownPath;
      viewer.compare(path, a.get(path) ?? '', b.get(path) ?? '');
      backButton.hidden = false;
    } catch (error) {
      options.notify(error instanceof Error ? error.message : 'The versions could not be compared.', 'error');
    }
  };

  playButton.addEventListener('click', () => (timer === undefined ? play() : pause()));
  slider.addEventListener('input', () => {
    if (!playback) return;
    pause();
    playback.seek(Number(slider.value));
    render();
  });
  fileSelect.addEventListener('change', () => {
    shownPath = fileSelect.value;
    if (viewer.comparing) void compare();
    else render();
  });
  compareButton.addEventListener('click', () => void compare());
  backButton.addEventListener('click', () => {
    backButton.hidden = true;
    render();
  });
  blameButton.addEventListener('click', () => {
    const blame = options.blame();
    blame.setOn(!blame.on);
    blameButton.setAttribute('aria-pressed', String(blame.on));
  });
  labelForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const label = labelInput.value.trim();
    if (!label || !options.editRoomId) return;
    options.api.label(options.editRoomId, label).then(
      () => {
        labelInput.value = '';
        options.notify(`Labelled "${label}".`, 'info');
        void load();
      },
      (error: unknown) => options.notify(error instanceof ApiError ? error.message : 'The label could not be saved.', 'error'),
    );
  });
  const close = () => {
    pause();
    element.hidden = true;
    // Out of the page while closed: its read-only editors must not stand beside the room's own.
    element.remove();
    button.setAttribute('aria-expanded', 'false');
  };
  closeButton.addEventListener('click', close);
  element.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !event.defaultPrevented) close();
  });
  const open = async () => {
    if (!element.isConnected) document.body.append(element);
    element.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    closeButton.focus();
    await load();
  };
  return {
    get isOpen() {
      return !element.hidden;
    },
    open,
    close,
    destroy() {
      pause();
      loading++;
      viewer.destroy();
      element.remove();
    },
  };
}
