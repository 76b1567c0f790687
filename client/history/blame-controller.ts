import { ViewPlugin, type EditorView } from '@codemirror/view';
import { ApiError } from '../api.ts';
import type { EditorController } from '../editor/create-editor.ts';
import { blameGutter, showBlame } from './blame-gutter.ts';
import type { HistoryApi } from './history-api.ts';

/** How long after the last keystroke the blame is fetched again. */
const REFRESH_AFTER_MS = 1_000;

/** The blame gutter of the room's editor, on or off. */
export interface BlameController {
  readonly on: boolean;
  setOn(on: boolean): void;
}

/**
 * Turns the blame gutter of the main editor on and off. While on, it fetches
 * `GET …/blame?file=` for the file shown: when turned on, when another file
 * is shown (the editor makes a new state, so the plugin starts again), and
 * a second after typing stops.
 */
export function createBlameController(options: {
  api: HistoryApi;
  /** The edit or view id the page opened the room with. */
  roomId: string;
  editor: EditorController;
  /** Path of the file the editor shows. */
  shownPath(): string;
  notify(message: string): void;
}): BlameController {
  let on = false;
  const refresher = ViewPlugin.define((view: EditorView) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let request = 0;
    const fetchBlame = () => {
      const ask = ++request;
      const path = options.shownPath();
      options.api.blame(options.roomId, path).then(
        (blame) => {
          if (ask === request && blame.file === path) showBlame(view, blame.lines);
        },
        (error: unknown) => {
          // A file made a moment ago has no history yet: no blame, no alarm.
          if (error instanceof ApiError && error.code === 'file_not_found') return;
          options.notify(`Blame is not available: ${error instanceof Error ? error.message : String(error)}`);
        },
      );
    };
    const schedule = (delay: number) => {
      clearTimeout(timer);
      timer = setTimeout(fetchBlame, delay);
    };
    schedule(0);
    return {
      update(update) {
        if (update.docChanged) schedule(REFRESH_AFTER_MS);
      },
      destroy() {
        clearTimeout(timer);
        request++;
      },
    };
  });
  return {
    get on() {
      return on;
    },
    setOn(next) {
      if (next === on) return;
      on = next;
      options.editor.setBlame(on ? [blameGutter(), refresher] : []);
    },
  };
}
