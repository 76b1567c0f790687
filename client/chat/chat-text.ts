import { h } from '../dom.ts';

/** http(s) addresses in running text; what follows up to a space or a quote. */
const LINK = /\bhttps?:\/\/[^\s<>"'`]+/gi;
/** Punctuation that ends a sentence rather than the address. */
const TRAILING = /[.,;:!?)\]}]+$/;

/**
 * A chat message's text as DOM nodes: text nodes, and `<a>` elements for
 * http(s) links, built with DOM calls (never `innerHTML`), so no message
 * can become markup. Only `http:` and `https:` addresses become links:
 * `javascript:`, `data:` and anything else stay text.
 */
export function renderChatText(text: string): Node[] {
  const nodes: Node[] = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    const start = match.index;
    const raw = match[0].replace(TRAILING, '');
    const href = safeHref(raw);
    if (href === undefined) continue;
    if (start > last) nodes.push(document.createTextNode(text.slice(last, start)));
    nodes.push(h('a', { href, target: '_blank', rel: 'noopener noreferrer nofollow', class: 'chat-link' }, raw));
    last = start + raw.length;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

/** The address as the browser parses it, when it is http(s); undefined otherwise. */
function safeHref(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
