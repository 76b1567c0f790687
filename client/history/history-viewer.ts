import { MergeView } from '@codemirror/merge';
import { Compartment, EditorState, StateEffect, StateField, type Extension, type Text } from '@codemirror/state';
import { Decoration, EditorView, lineNumbers, type DecorationSet } from '@codemirror/view';
import { languageOfPath } from '../../shared/file-paths.ts';
import { loadLanguageSupport } from '../editor/languages.ts';
import type { PlaybackChange } from './history-api.ts';

/** Marks the text the last played change inserted, in its author's colour. */
const markChange = StateEffect.define<{ from: number; to: number; color: string } | null>();

const changeMark = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, transaction) {
    marks = marks.map(transaction.changes);
    for (const effect of transaction.effects) {
      if (!effect.is(markChange)) continue;
      const mark = effect.value;
      marks = mark && mark.to > mark.from
        ? Decoration.set(Decoration.mark({ class: 'cm-history-change', attributes: { style: `background-color: ${translucent(mark.color)}` } }).range(mark.from, mark.to))
        : Decoration.none;
    }
    return marks;
  },
  provide: (field) => EditorView.decorations.from(field),
});

/** `#rrggbb` at a third of its strength; other colour forms as they are (the mark's outline still shows). */
function translucent(color: string): string {
  return /^#[0-9a-f]{6}$/i.test(color) ? `${color}55` : 'transparent';
}

/**
 * The history panel's read-only view of one file: the text at the playback's
 * position, the last played change marked in its author's colour, or two
 * versions side by side (`@codemirror/merge`).
 */
export class HistoryViewer {
  readonly element: HTMLElement;
  private single: EditorView;
  /** Holds the single view: hidden while comparing (CodeMirror's `display: flex !important` wins over anything set on the editor itself). */
  private readonly singleHost: HTMLElement;
  private merge: MergeView | undefined;
  private path = '';
  private language: Extension = [];
  private readonly languageSlot = new Compartment();
  private languageRequest = 0;

  constructor(private readonly theme: () => Extension) {
    this.element = document.createElement('div');
    this.element.className = 'history-viewer';
    this.singleHost = document.createElement('div');
    this.singleHost.className = 'history-single';
    this.element.append(this.singleHost);
    this.single = new EditorView({ parent: this.singleHost, state: this.createState('') });
  }

  private baseExtensions(): Extension {
    return [EditorState.readOnly.of(true), EditorView.editable.of(false), lineNumbers(), this.theme(), this.languageSlot.of(this.language), EditorView.lineWrapping];
  }

  private createState(doc: string | Text): EditorState {
    return EditorState.create({ doc, extensions: [this.baseExtensions(), changeMark, EditorView.contentAttributes.of({ 'aria-label': 'File as it was' })] });
  }

  /** Shows `text` of `path`, replacing what is shown (a seek, or another file). */
  show(path: string, text: Text): void {
    this.leaveCompare();
    if (path !== this.path) {
      this.path = path;
      this.language = [];
      void this.loadLanguage(path);
    }
    this.element.dataset.path = path;
    this.single.setState(this.createState(text));
  }

  /** Shows one played change of the file on screen, without redrawing the rest. */
  apply(change: PlaybackChange): void {
    if (change.file !== this.path || this.merge) return;
    const doc = this.single.state.doc;
    const from = Math.min(change.pos, doc.length);
    const to = Math.min(from + change.del, doc.length);
    this.single.dispatch({
      changes: { from, to, insert: change.ins },
      effects: [markChange.of({ from, to: from + change.ins.length, color: change.author.color }), EditorView.scrollIntoView(from, { y: 'nearest' })],
    });
  }

  /** `a` (left) and `b` (right) side by side, their differences marked. */
  compare(path: string, a: string, b: string): void {
    this.leaveCompare();
    this.singleHost.hidden = true;
    this.path = path;
    this.element.dataset.path = path;
    const side = (label: string): Extension => [this.baseExtensions(), EditorView.contentAttributes.of({ 'aria-label': label })];
    this.merge = new MergeView({ a: { doc: a, extensions: side('Older version') }, b: { doc: b, extensions: side('Newer version') }, parent: this.element, highlightChanges: true, gutter: true });
    void this.loadLanguage(path);
  }

  get comparing(): boolean {
    return this.merge !== undefined;
  }

  leaveCompare(): void {
    if (!this.merge) return;
    this.merge.destroy();
    this.merge = undefined;
    this.singleHost.hidden = false;
  }

  private async loadLanguage(path: string): Promise<void> {
    const request = ++this.languageRequest;
    let support: Extension = [];
    try {
      support = await loadLanguageSupport(languageOfPath(path));
    } catch {
      // Offline: plain text.
    }
    if (request !== this.languageRequest) return;
    this.language = support;
    const views = this.merge ? [this.merge.a, this.merge.b] : [this.single];
    for (const view of views) view.dispatch({ effects: this.languageSlot.reconfigure(support) });
  }

  destroy(): void {
    this.leaveCompare();
    this.single.destroy();
  }
}
