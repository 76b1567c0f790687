import { Annotation, RangeSet, type Extension, type Range } from '@codemirror/state';
import { Decoration, EditorView, ViewPlugin, WidgetType, type DecorationSet, type ViewUpdate } from '@codemirror/view';
import type { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { USER_COLORS, sanitizeRemoteUser, toLightColor } from './identity.ts';

/** Options of {@link remoteCursors}. */
export interface RemoteCursorOptions {
  awareness: Awareness;
  ytext: Y.Text;
  /** After this long without moving, a name label fades until hovered, in ms; default 6,000. */
  labelIdleMs?: number;
}

/**
 * Everyone else's cursor and selection, with their name on a label, and
 * this user's own cursor published in awareness (`cursor: { anchor, head }`
 * as Yjs relative positions, the y-codemirror.next format, so other clients
 * of the protocol interoperate).
 *
 * It replaces y-codemirror.next's remote selections: its label is never
 * redrawn when a peer renames (the widget compares colours only), and it
 * styles through `style` attributes. Here names are text nodes, colours are
 * palette classes, and a label fades after a while so it does not hide the
 * line above for good.
 */
export function remoteCursors(options: RemoteCursorOptions): Extension {
  const labelIdleMs = options.labelIdleMs ?? 6000;
  const plugin = ViewPlugin.fromClass(
    class {
      decorations: DecorationSet = RangeSet.empty;
      private readonly lastMoves = new Map<number, { cursor: string; at: number }>();
      private timer: ReturnType<typeof setTimeout> | undefined;
      private readonly onChange = ({ added, updated, removed }: AwarenessChange) => {
        const clients = [...added, ...updated, ...removed];
        if (clients.some((id) => id !== options.awareness.clientID)) this.refresh();
      };

      constructor(readonly view: EditorView) {
        options.awareness.on('change', this.onChange);
        this.decorations = this.build(view.state.doc.length);
      }

      update(update: ViewUpdate): void {
        this.publishOwnCursor(update);
        this.decorations = this.build(update.state.doc.length);
      }

      refresh(): void {
        // A transaction with no changes makes CodeMirror call update().
        this.view.dispatch({ annotations: remoteCursorRefresh.of(true) });
      }

      publishOwnCursor(update: ViewUpdate): void {
        const { awareness, ytext } = options;
        const local = awareness.getLocalState();
        if (local === null) return;
        const hasFocus = update.view.hasFocus && update.view.dom.ownerDocument.hasFocus();
        if (!hasFocus) return;
        const selection = update.state.selection.main;
        const anchor = Y.createRelativePositionFromTypeIndex(ytext, selection.anchor);
        const head = Y.createRelativePositionFromTypeIndex(ytext, selection.head);
        const current = local.cursor as { anchor?: unknown; head?: unknown } | null | undefined;
        if (
          current?.anchor &&
          current.head &&
          Y.compareRelativePositions(Y.createRelativePositionFromJSON(current.anchor), anchor) &&
          Y.compareRelativePositions(Y.createRelativePositionFromJSON(current.head), head)
        ) {
          return;
        }
        awareness.setLocalStateField('cursor', { anchor, head });
      }

      build(docLength: number): DecorationSet {
        const { awareness, ytext } = options;
        const doc = ytext.doc;
        if (!doc) return RangeSet.empty;
        const now = Date.now();
        let nextIdle = Infinity;
        const decorations: Range<Decoration>[] = [];
        for (const [clientId, state] of awareness.getStates()) {
          if (clientId === awareness.clientID) continue;
          const cursor = (state as { cursor?: { anchor?: unknown; head?: unknown } | null }).cursor;
          if (!cursor?.anchor || !cursor.head) continue;
          let anchor: Y.AbsolutePosition | null;
          let head: Y.AbsolutePosition | null;
          try {
            anchor = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(cursor.anchor), doc);
            head = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(cursor.head), doc);
          } catch {
            continue; // a malformed cursor from a peer
          }
          if (!anchor || !head || anchor.type !== ytext || head.type !== ytext) continue;
          if (anchor.index > docLength || head.index > docLength) continue;

          const user = sanitizeRemoteUser((state as { user?: unknown }).user, clientId);
          const peerClass = `cm-peer-${Math.max(0, USER_COLORS.indexOf(user.color as (typeof USER_COLORS)[number]))}`;
          const key = JSON.stringify(cursor);
          const last = this.lastMoves.get(clientId);
          const movedAt = last && last.cursor === key ? last.at : now;
          this.lastMoves.set(clientId, { cursor: key, at: movedAt });
          const idle = now - movedAt >= labelIdleMs;
          if (!idle) nextIdle = Math.min(nextIdle, movedAt + labelIdleMs);

          const from = Math.min(anchor.index, head.index);
          const to = Math.max(anchor.index, head.index);
          if (from < to) decorations.push(Decoration.mark({ class: `cm-remoteSelection ${peerClass}` }).range(from, to));
          decorations.push(
            Decoration.widget({
              // Outside the selection, so the local cursor is not drawn inside it.
              side: head.index - anchor.index > 0 ? -1 : 1,
              widget: new RemoteCaretWidget(user.name, peerClass, idle),
            }).range(head.index),
          );
        }
        for (const clientId of this.lastMoves.keys()) if (!awareness.getStates().has(clientId)) this.lastMoves.delete(clientId);
        this.scheduleIdle(nextIdle - now);
        return Decoration.set(decorations, true);
      }

      scheduleIdle(delay: number): void {
        clearTimeout(this.timer);
        this.timer = Number.isFinite(delay) ? setTimeout(() => this.refresh(), Math.max(50, delay)) : undefined;
      }

      destroy(): void {
        clearTimeout(this.timer);
        options.awareness.off('change', this.onChange);
      }
    },
    { decorations: (value) => value.decorations },
  );
  return [plugin, remoteCursorTheme];
}

type AwarenessChange = { added: number[]; updated: number[]; removed: number[] };

const remoteCursorRefresh = Annotation.define<boolean>();

class RemoteCaretWidget extends WidgetType {
  constructor(
    readonly name: string,
    readonly peerClass: string,
    readonly idle: boolean,
  ) {
    super();
  }

  override eq(other: RemoteCaretWidget): boolean {
    return other.name === this.name && other.peerClass === this.peerClass && other.idle === this.idle;
  }

  toDOM(): HTMLElement {
    const caret = document.createElement('span');
    caret.className = `cm-remoteCaret ${this.peerClass}${this.idle ? ' cm-remoteCaret-idle' : ''}`;
    caret.setAttribute('aria-hidden', 'true');
    // Word joiners keep the zero-width caret from breaking the line.
    caret.append(document.createTextNode('\u2060'));
    const label = document.createElement('span');
    label.className = 'cm-remoteCaretLabel';
    label.textContent = this.name;
    caret.append(label, document.createTextNode('\u2060'));
    return caret;
  }

  override ignoreEvent(): boolean {
    return true;
  }
}

const remoteCursorTheme = EditorView.baseTheme({
  '.cm-remoteCaret': {
    position: 'relative',
    borderLeft: '2px solid',
    marginLeft: '-1px',
    marginRight: '-1px',
    boxSizing: 'border-box',
  },
  '.cm-remoteCaretLabel': {
    position: 'absolute',
    left: '-2px',
    top: '-1.45em',
    zIndex: '101',
    padding: '1px 4px',
    borderRadius: '3px 3px 3px 0',
    color: '#fff',
    fontFamily: 'system-ui, sans-serif',
    fontSize: '11px',
    fontWeight: '600',
    fontStyle: 'normal',
    lineHeight: 'normal',
    whiteSpace: 'nowrap',
    maxWidth: '16em',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    userSelect: 'none',
    pointerEvents: 'none',
    transition: 'opacity .4s ease-in-out',
  },
  '.cm-remoteCaret-idle .cm-remoteCaretLabel': { opacity: '0' },
  '.cm-line:hover .cm-remoteCaret-idle .cm-remoteCaretLabel': { opacity: '1' },
  ...Object.fromEntries(
    USER_COLORS.flatMap((color, index) => [
      [`.cm-remoteCaret.cm-peer-${index}`, { borderLeftColor: color }],
      [`.cm-peer-${index} .cm-remoteCaretLabel`, { backgroundColor: color }],
      [`.cm-remoteSelection.cm-peer-${index}`, { backgroundColor: toLightColor(color) }],
    ]),
  ),
});
