/**
 * A few DOM helpers. Text always goes in as text nodes: nothing in the
 * client assigns `innerHTML`, so names, titles and code can never become
 * markup.
 */

type Child = Node | string | null | undefined | false;

/** Attributes {@link h} sets; `on*` handlers are not accepted, use `addEventListener`. */
export type Attributes = Record<string, string | number | boolean | undefined>;

/** Creates an element with attributes (set with `setAttribute`) and children (strings become text). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (/^on/i.test(name)) throw new Error(`event handler attribute ${name} is not allowed`);
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, ...children);
  return element;
}

/** Appends children, strings as text nodes. */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** Replaces every child of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/**
 * Makes `parent`'s children exactly `desired`, in order, moving only what
 * is out of place: rows that stay where they were are not touched, so the
 * browser restyles only what changed.
 */
export function reconcileChildren(parent: Element, desired: readonly Element[]): void {
  let current = parent.firstElementChild;
  for (const node of desired) {
    if (current === node) {
      current = current.nextElementSibling;
      continue;
    }
    parent.insertBefore(node, current);
  }
  while (current) {
    const next = current.nextElementSibling;
    current.remove();
    current = next;
  }
}
