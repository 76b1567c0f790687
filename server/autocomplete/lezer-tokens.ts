import type { NodeType, Tree, TreeCursor } from '@lezer/common';
import { getStyleTags, tags, type Tag } from '@lezer/highlight';
import { splitLooseText, type Token, type TokenCategory } from './token.ts';

/** How a node type is tokenized: one token for the whole node, or look at its children / text. */
type NodeClass = TokenCategory | 'loose';

// Node types are shared by every tree of a parser, so their class is computed once.
const classOfType = new WeakMap<NodeType, NodeClass>();

function hasTag(found: readonly Tag[], wanted: readonly Tag[]): boolean {
  return found.some((tag) => tag.set.some((parent) => wanted.includes(parent)));
}

function classifyNode(cursor: TreeCursor): NodeClass {
  const style = getStyleTags(cursor);
  if (style === null) return 'loose';
  const found = style.tags;
  if (hasTag(found, [tags.comment])) return 'comment';
  if (hasTag(found, [tags.string, tags.regexp, tags.character])) return 'string';
  if (hasTag(found, [tags.bool, tags.null, tags.atom, tags.keyword, tags.self])) return 'keyword';
  if (hasTag(found, [tags.number])) return 'number';
  if (hasTag(found, [tags.name])) return 'ident';
  return 'loose';
}

function classOf(cursor: TreeCursor): NodeClass {
  const type = cursor.type;
  let nodeClass = classOfType.get(type);
  if (nodeClass === undefined) {
    nodeClass = classifyNode(cursor);
    classOfType.set(type, nodeClass);
  }
  return nodeClass;
}

/**
 * Lists the tokens of `code` from its Lezer tree: strings and comments come
 * out whole (so their words are never mined as names), names and keywords as
 * the grammar's highlighting tags say, and any text the tree leaves
 * uncovered (anonymous operators, error recovery) is split loosely.
 */
export function listTreeTokens(
  code: string,
  tree: Tree,
  classifyWord: (word: string) => TokenCategory,
): Token[] {
  const out: Token[] = [];
  let covered = 0;
  const emit = (from: number, to: number, category: TokenCategory): void => {
    if (from < covered) return;
    if (from > covered) splitLooseText(code, covered, from, classifyWord, out);
    if (to > from) out.push({ from, to, text: code.slice(from, to), category });
    covered = Math.max(covered, to);
  };
  const cursor = tree.cursor();
  for (;;) {
    const nodeClass = cursor.type.isTop ? 'loose' : classOf(cursor);
    const whole = nodeClass === 'string' || nodeClass === 'comment';
    if (whole || !cursor.firstChild()) {
      if (whole) emit(cursor.from, cursor.to, nodeClass);
      else if (nodeClass === 'loose' || nodeClass === 'punct') {
        if (cursor.from > covered) splitLooseText(code, covered, cursor.from, classifyWord, out);
        if (cursor.to > Math.max(covered, cursor.from)) {
          splitLooseText(code, Math.max(covered, cursor.from), cursor.to, classifyWord, out);
        }
        covered = Math.max(covered, cursor.to);
      } else emit(cursor.from, cursor.to, nodeClass);
      while (!cursor.nextSibling()) {
        if (!cursor.parent()) {
          if (covered < code.length) splitLooseText(code, covered, code.length, classifyWord, out);
          return out;
        }
      }
    }
  }
}
