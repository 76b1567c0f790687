import { AnsiReader, type AnsiStyle } from './ansi.ts';

/** Characters the panel keeps on screen; past it the oldest go (the whole output stays in the REST answer). */
const MAX_SHOWN_CHARS = 2 * 1024 * 1024;

const PALETTE = [
  '#000000', '#cd3131', '#0dbc79', '#e5e510', '#2472c8', '#bc3fbc', '#11a8cd', '#e5e5e5',
  '#666666', '#f14c4c', '#23d18b', '#f5f543', '#3b8eea', '#d670d6', '#29b8db', '#ffffff',
];

function colorOf(value: number | string | undefined): string | undefined {
  return typeof value === 'number' ? PALETTE[value] : value;
}

/**
 * The output area of the run panel: text appended as produced, ANSI
 * colours shown, stderr marked. Everything goes in as text nodes.
 */
export class RunOutput {
  readonly element: HTMLPreElement;
  private readers = { stdout: new AnsiReader(), stderr: new AnsiReader() };
  private shownChars = 0;

  constructor() {
    this.element = document.createElement('pre');
    this.element.className = 'run-output';
    this.element.setAttribute('aria-live', 'polite');
    this.element.setAttribute('aria-label', 'Program output');
    this.element.tabIndex = 0;
  }

  clear(): void {
    this.element.replaceChildren();
    this.readers = { stdout: new AnsiReader(), stderr: new AnsiReader() };
    this.shownChars = 0;
  }

  append(stream: 'stdout' | 'stderr', text: string): void {
    const stickToBottom = this.element.scrollHeight - this.element.scrollTop - this.element.clientHeight < 24;
    const fragment = document.createDocumentFragment();
    for (const segment of this.readers[stream].read(text)) {
      const span = document.createElement('span');
      span.textContent = segment.text;
      if (stream === 'stderr') span.classList.add('run-stderr');
      applyStyle(span, segment.style);
      fragment.appendChild(span);
      this.shownChars += segment.text.length;
    }
    this.element.appendChild(fragment);
    while (this.shownChars > MAX_SHOWN_CHARS && this.element.firstChild) {
      this.shownChars -= this.element.firstChild.textContent?.length ?? 0;
      this.element.firstChild.remove();
    }
    if (stickToBottom) this.element.scrollTop = this.element.scrollHeight;
  }
}

function applyStyle(span: HTMLElement, style: AnsiStyle): void {
  let fg = colorOf(style.fg);
  let bg = colorOf(style.bg);
  if (style.inverse) [fg, bg] = [bg ?? 'var(--editor-bg)', fg ?? 'var(--editor-fg)'];
  if (fg) span.style.color = fg;
  if (bg) span.style.backgroundColor = bg;
  if (style.bold) span.style.fontWeight = 'bold';
  if (style.dim) span.style.opacity = '0.7';
  if (style.italic) span.style.fontStyle = 'italic';
  if (style.underline) span.style.textDecoration = 'underline';
}
