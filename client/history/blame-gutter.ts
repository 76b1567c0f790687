import { StateEffect, StateField, type Extension } from '@codemirror/state';
import { EditorView, gutter, GutterMarker } from '@codemirror/view';
import type { Blame } from './history-api.ts';

type BlameLine = Blame['lines'][number];

/** Replaces the blame shown (null: none yet). */
const setBlame = StateEffect.define<readonly BlameLine[] | null>();

/** Line number to its blame, as last fetched. Lines typed since show nothing until the next fetch. */
const blameField = StateField.define<ReadonlyMap<number, BlameLine>>({
  create: () => new Map(),
  update(value, transaction) {
    for (const effect of transaction.effects) {
      if (effect.is(setBlame)) return new Map((effect.value ?? []).map((line) => [line.line, line]));
    }
    return value;
  },
});

/** A time as the gutter's tooltip says it: the time of day today, else the date too. */
function formatWhen(at: string): string {
  const date = new Date(at);
  const today = new Date().toDateString() === date.toDateString();
  return today ? date.toLocaleTimeString() : date.toLocaleString();
}

/** The first letter of each of the first two words of a name: what fits in the gutter. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return words.slice(0, 2).map((word) => [...word][0]!.toUpperCase()).join('') || '?';
}

class BlameMarker extends GutterMarker {
  constructor(private readonly line: BlameLine) {
    super();
  }
  override eq(other: BlameMarker): boolean {
    return other.line.author.name === this.line.author.name && other.line.author.color === this.line.author.color && other.line.at === this.line.at;
  }
  override toDOM(): Node {
    const element = document.createElement('span');
    element.className = 'cm-blame-marker';
    element.style.borderLeftColor = this.line.author.color;
    element.textContent = initials(this.line.author.name);
    element.title = `${this.line.author.name || 'Unknown author'} · ${formatWhen(this.line.at)}`;
    return element;
  }
}

/** The blame gutter: each line's newest author, by colour and initials, with name and time on hover. */
export function blameGutter(): Extension {
  return [
    blameField,
    gutter({
      class: 'cm-blame-gutter',
      lineMarker(view, line) {
        const number = view.state.doc.lineAt(line.from).number;
        const blame = view.state.field(blameField).get(number);
        return blame ? new BlameMarker(blame) : null;
      },
      lineMarkerChange: (update) => update.transactions.some((transaction) => transaction.effects.some((effect) => effect.is(setBlame))),
      initialSpacer: () => new BlameMarker({ line: 0, author: { name: 'WW', color: 'transparent' }, at: new Date(0).toISOString() }),
    }),
  ];
}

/** Shows `lines` in an editor that has {@link blameGutter}. */
export function showBlame(view: EditorView, lines: readonly BlameLine[] | null): void {
  view.dispatch({ effects: setBlame.of(lines) });
}
