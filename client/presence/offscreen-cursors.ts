import type { Extension } from '@codemirror/state';
import { EditorView, ViewPlugin, type ViewUpdate } from '@codemirror/view';
import type { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { USER_COLORS, sanitizeRemoteUser } from './identity.ts';

/** Options of {@link offscreenCursors}. */
export interface OffscreenCursorOptions {
  awareness: Awareness;
  /** The text the editor shows (cursors in other files are not in it). */
  ytext: Y.Text;
}

interface Offscreen {
  clientId: number;
  name: string;
  peerClass: string;
  position: number;
  above: boolean;
}

/**
 * An arrow at the editor's top or bottom edge for each remote cursor in the
 * shown file that is scrolled out of sight, in that person's colour and
 * with their name (text, never markup); clicking it scrolls to them. The
 * geometry is read in CodeMirror's measure phase, after scrolls, edits and
 * cursor moves.
 */
export function offscreenCursors(options: OffscreenCursorOptions): Extension {
  const plugin = ViewPlugin.fromClass(
    class {
      private readonly top = document.createElement('div');
      private readonly bottom = document.createElement('div');
      private readonly onChange = () => this.schedule();
      private readonly onScroll = () => this.schedule();
      private signature = '';

      constructor(readonly view: EditorView) {
        this.top.className = 'cm-offscreenCursors cm-offscreenCursors-top';
        this.bottom.className = 'cm-offscreenCursors cm-offscreenCursors-bottom';
        view.dom.append(this.top, this.bottom);
        options.awareness.on('change', this.onChange);
        view.scrollDOM.addEventListener('scroll', this.onScroll, { passive: true });
        this.schedule();
      }

      update(update: ViewUpdate): void {
        if (update.docChanged || update.viewportChanged || update.geometryChanged) this.schedule();
      }

      schedule(): void {
        this.view.requestMeasure({ key: this, read: () => this.read(), write: (offscreen) => this.write(offscreen) });
      }

      read(): Offscreen[] {
        const { view } = this;
        const doc = options.ytext.doc;
        if (!doc) return [];
        const frame = view.scrollDOM.getBoundingClientRect();
        const found: Offscreen[] = [];
        for (const [clientId, state] of options.awareness.getStates()) {
          if (clientId === options.awareness.clientID) continue;
          const head = (state as { cursor?: { head?: unknown } | null }).cursor?.head;
          if (!head) continue;
          let absolute: Y.AbsolutePosition | null;
          try {
            absolute = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(head), doc);
          } catch {
            continue; // a malformed cursor from a peer
          }
          if (!absolute || absolute.type !== options.ytext || absolute.index > view.state.doc.length) continue;
          const block = view.lineBlockAt(absolute.index);
          const top = view.documentTop + block.top;
          const above = top + block.height <= frame.top + 1;
          const below = top >= frame.bottom - 1;
          if (!above && !below) continue;
          const user = sanitizeRemoteUser((state as { user?: unknown }).user, clientId);
          const peerClass = `cm-peer-${Math.max(0, USER_COLORS.indexOf(user.color as (typeof USER_COLORS)[number]))}`;
          found.push({ clientId, name: user.name, peerClass, position: absolute.index, above });
        }
        return found;
      }

      write(offscreen: Offscreen[]): void {
        const signature = offscreen.map((entry) => `${entry.clientId}:${entry.above}:${entry.name}:${entry.peerClass}:${entry.position}`).join('\n');
        if (signature === this.signature) return;
        this.signature = signature;
        this.top.replaceChildren(...offscreen.filter((entry) => entry.above).map((entry) => this.arrow(entry)));
        this.bottom.replaceChildren(...offscreen.filter((entry) => !entry.above).map((entry) => this.arrow(entry)));
      }

      arrow(entry: Offscreen): HTMLElement {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = `cm-offscreenCursor ${entry.peerClass}`;
        button.dataset.clientId = String(entry.clientId);
        button.dataset.direction = entry.above ? 'up' : 'down';
        button.title = `${entry.name}'s cursor is ${entry.above ? 'above' : 'below'}: click to scroll there`;
        button.append(document.createTextNode(`${entry.above ? '▲' : '▼'} `), document.createTextNode(entry.name));
        button.addEventListener('mousedown', (event) => event.preventDefault()); // keeps the editor's focus
        button.addEventListener('click', () => this.view.dispatch({ effects: EditorView.scrollIntoView(Math.min(entry.position, this.view.state.doc.length), { y: 'center' }) }));
        return button;
      }

      destroy(): void {
        options.awareness.off('change', this.onChange);
        this.view.scrollDOM.removeEventListener('scroll', this.onScroll);
        this.top.remove();
        this.bottom.remove();
      }
    },
  );
  return [plugin, offscreenTheme];
}

const offscreenTheme = EditorView.baseTheme({
  '.cm-offscreenCursors': {
    position: 'absolute',
    right: '12px',
    zIndex: '200',
    display: 'flex',
    gap: '4px',
    pointerEvents: 'none',
  },
  '.cm-offscreenCursors-top': { top: '4px' },
  '.cm-offscreenCursors-bottom': { bottom: '4px' },
  '.cm-offscreenCursor': {
    pointerEvents: 'auto',
    border: 'none',
    borderRadius: '999px',
    padding: '1px 8px',
    color: '#fff',
    font: '600 11px system-ui, sans-serif',
    cursor: 'pointer',
    maxWidth: '14em',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    boxShadow: '0 1px 3px #0003',
  },
  ...Object.fromEntries(USER_COLORS.map((color, index) => [`.cm-offscreenCursor.cm-peer-${index}`, { backgroundColor: color }])),
});
