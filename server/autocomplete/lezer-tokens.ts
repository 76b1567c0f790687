import type { NodeType, Tree, TreeCursor } from '@lezer/common';
import { getStyleTags, tags, type Tag } from '@lezer/highlight';
import { BUDGET_CHECK_INTERVAL, checkBudget } from './budget.ts';
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

/** A node the walk has descended into; a string's text is emitted around the code interpolated into it. */
interface Frame {
  string: boolean;
  /** For a string: where its text not yet emitted starts, and where it ends. */
  position: number;
  to: number;
}

/** Visits the node at `cursor`; returns true when it descended into the node's first child (and pushed its frame). */
function visitNode(cursor: TreeCursor, state: WalkState, frames: Frame[]): boolean {
  const parent = frames[frames.length - 1];
  if (parent?.string) {
    // Only a string's interpolations hold code; the rest of it is one string token.
    if (!INTERPOLATION.test(cursor.name)) return false;
    emitToken(state, parent.position, cursor.from, 'string');
  }
  const nodeClass = cursor.type.isTop ? 'loose' : findNodeClass(cursor);
  if (nodeClass === 'comment') {
    emitToken(state, cursor.from, cursor.to, 'comment');
    return false;
  }
  const frame: Frame = { string: nodeClass === 'string', position: cursor.from, to: cursor.to };
  if (cursor.firstChild()) {
    frames.push(frame);
    return true;
  }
  if (frame.string) emitToken(state, frame.position, frame.to, 'string');
  else if (nodeClass === 'loose' || nodeClass === 'punct') emitLoose(state, cursor.from, cursor.to);
  else emitToken(state, cursor.from, cursor.to, nodeClass);
  return false;
}

/**
 * Lists the tokens of `code` from its Lezer tree: strings and comments come
 * out whole (so their words are never mined as names) except for the code
 * interpolated into them, names and keywords as the grammar's highlighting
 * tags say, and any text the tree leaves uncovered (anonymous operators,
 * error recovery) is split loosely. Throws `BudgetExceeded` past `deadline`.
 */
export function listTreeTokens(
  code: string,
  tree: Tree,
  classifyWord: (word: string) => TokenCategory,
  deadline?: number,
): Token[] {
  const state: WalkState = { code, classifyWord, out: [], covered: 0 };
  // A loop with its own stack, not recursion: a million nested brackets make a tree a million deep.
  const cursor = tree.cursor();
  const frames: Frame[] = [];
  let visits = 0;
  walk: for (;;) {
    if (++visits % BUDGET_CHECK_INTERVAL === 0) checkBudget(deadline);
    if (visitNode(cursor, state, frames)) continue;
    for (;;) {
      const parent = frames[frames.length - 1];
      if (parent?.string && INTERPOLATION.test(cursor.name)) parent.position = cursor.to;
      if (frames.length > 0 && cursor.nextSibling()) break;
      const frame = frames.pop();
      if (frame === undefined || !cursor.parent()) break walk;
      if (frame.string) emitToken(state, frame.position, frame.to, 'string');
    }
  }
  emitLoose(state, state.covered, code.length);
  return state.out;
}
