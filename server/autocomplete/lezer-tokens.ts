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

function findNodeClass(cursor: TreeCursor): NodeClass {
  const type = cursor.type;
  let nodeClass = classOfType.get(type);
  if (nodeClass === undefined) {
    nodeClass = classifyNode(cursor);
    classOfType.set(type, nodeClass);
  }
  return nodeClass;
}

/** Children of a string node that hold code: `${...}` in templates, `{...}` in f-strings. */
const INTERPOLATION = /Interpolation$|^FormatReplacement$/;

interface WalkState {
  code: string;
  classifyWord: (word: string) => TokenCategory;
  out: Token[];
  covered: number;
}

function emitToken(state: WalkState, from: number, to: number, category: TokenCategory): void {
  if (from < state.covered) return;
  if (from > state.covered) splitLooseText(state.code, state.covered, from, state.classifyWord, state.out);
  if (to > from) state.out.push({ from, to, text: state.code.slice(from, to), category });
  state.covered = Math.max(state.covered, to);
}

function emitLoose(state: WalkState, from: number, to: number): void {
  const start = Math.max(state.covered, from);
  if (to > start) {
    splitLooseText(state.code, state.covered, to, state.classifyWord, state.out);
    state.covered = to;
  }
}

function walkString(cursor: TreeCursor, state: WalkState): void {
  const { from, to } = cursor;
  let position = from;
  if (cursor.firstChild()) {
    do {
      if (!INTERPOLATION.test(cursor.name)) continue;
      emitToken(state, position, cursor.from, 'string');
      walkNode(cursor, state);
      position = cursor.to;
    } while (cursor.nextSibling());
    cursor.parent();
  }
  emitToken(state, position, to, 'string');
}

function walkNode(cursor: TreeCursor, state: WalkState): void {
  const nodeClass = cursor.type.isTop ? 'loose' : findNodeClass(cursor);
  if (nodeClass === 'string') return walkString(cursor, state);
  if (nodeClass === 'comment') return emitToken(state, cursor.from, cursor.to, 'comment');
  if (cursor.firstChild()) {
    do walkNode(cursor, state);
    while (cursor.nextSibling());
    cursor.parent();
    return;
  }
  if (nodeClass === 'loose' || nodeClass === 'punct') emitLoose(state, cursor.from, cursor.to);
  else emitToken(state, cursor.from, cursor.to, nodeClass);
}

/**
 * Lists the tokens of `code` from its Lezer tree: strings and comments come
 * out whole (so their words are never mined as names) except for the code
 * interpolated into them, names and keywords as the grammar's highlighting
 * tags say, and any text the tree leaves uncovered (anonymous operators,
 * error recovery) is split loosely.
 */
export function listTreeTokens(
  code: string,
  tree: Tree,
  classifyWord: (word: string) => TokenCategory,
): Token[] {
  const state: WalkState = { code, classifyWord, out: [], covered: 0 };
  walkNode(tree.cursor(), state);
  emitLoose(state, state.covered, code.length);
  return state.out;
}
