import type { AutocompleteResponse, CompletionItem, CompletionType } from '../../shared/schemas/autocomplete.schema.ts';
import { toLanguage, type Language } from '../../shared/protocol.ts';
import { readCursorContext, type CursorContext } from './context.ts';
import { getCorpus } from './corpus/index.ts';
import { rankWords, readNgramContext, type RankedWord } from './identifiers.ts';
import { countImportedModules, rankModules } from './imports.ts';
import { getWordTables } from './keywords.ts';
import { getLanguageSpec } from './languages.ts';
import { getStandardMembers } from './members.ts';
import { getKindMembers, inferReceiverKind } from './receiver-kind.ts';
import { BudgetExceeded, checkBudget } from './budget.ts';
import { predictContinuation, type NgramSource } from './ngram.ts';
import { DEFAULT_WEIGHTS, type RankingWeights } from './ranking-weights.ts';
import { findSnippets, indentSnippet, renderSnippetDefaults } from './snippets.ts';
import type { Token } from './token.ts';
import { tokenizeDocument } from './tokenize.ts';

/** One completion request, as the HTTP edge passes it on after validating it. */
export interface CompleteInput {
  /** The code to complete in. */
  code: string;
  /** Cursor offset in UTF-16 code units, `0..code.length` (the caller checks it). */
  cursorPosition: number;
  /** Language of the code; anything unknown is completed as `plaintext`. */
  language: string;
  /** Most items to return, 1..50. */
  limit: number;
  /** Who is typing: a newer request cancels this client's older model request, and its reparse is incremental. */
  clientKey?: string;
  /**
   * True when the person asked for completions (Ctrl+Space); default false.
   * Without it a cursor inside a comment or a string gets no items.
   */
  explicit?: boolean;
  /** Epoch milliseconds past which the engine stops and answers empty (no deadline: no budget). */
  deadline?: number;
}

/** Minimum agreement of earlier occurrences before a multi-token continuation becomes the ghost text. */
const LINE_AGREEMENT = 0.6;

/** The answer when there is nothing to suggest. */
export function createEmptyResponse(cursorPosition: number): AutocompleteResponse {
  return { suggestion: '', confidence: 0, type: 'identifier', from: cursorPosition, to: cursorPosition, items: [] };
}

function toWordItem(word: RankedWord, kind: CursorContext['kind'], builtins: ReadonlySet<string>): CompletionItem {
  const type: CompletionType = word.keyword ? 'keyword' : kind === 'member' ? 'member' : 'identifier';
  const item: CompletionItem = { label: word.text, insertText: word.text, kind: type, score: word.score };
  if (builtins.has(word.text) && word.evidence <= 1) item.detail = kind === 'member' ? 'standard member' : 'builtin';
  return item;
}

function readIndent(code: string, position: number): { indent: string; unit: string } {
  const lineStart = code.lastIndexOf('\n', position - 1) + 1;
  const indent = /^[ \t]*/.exec(code.slice(lineStart, position))?.[0] ?? '';
  const sample = /\n([ \t]+)\S/.exec(code)?.[1] ?? '    ';
  return { indent, unit: sample.startsWith('\t') ? '\t' : sample };
}

function listSnippetItems(code: string, context: CursorContext, language: Language, words: readonly RankedWord[]): CompletionItem[] {
  const { indent, unit } = readIndent(code, context.from);
  const floor = words.length > 0 ? words[words.length - 1].score : 1e-6;
  return findSnippets(language, context.prefix).map((snippet, order) => {
    const keyword = words.find((word) => word.text === snippet.trigger);
    // A snippet sits just below its keyword, so typing `de` still shows `def` first.
    const score = (keyword?.score ?? floor * 0.5) * (0.9 - order * 1e-3);
    return {
      label: `${snippet.trigger} …`, insertText: indentSnippet(snippet.body, indent, unit),
      kind: 'snippet', detail: snippet.detail, score,
    };
  });
}

function listModuleItems(code: string, tokens: readonly Token[], context: CursorContext, language: Language): CompletionItem[] {
  const counts = new Map<string, number>();
  const corpus = getCorpus(language);
  countImportedModules(code, tokens, language, context.quoted, context.partialIndex, 1, counts);
  countImportedModules(corpus.code, corpus.tokens, language, context.quoted, -1, 0.5, counts);
  return rankModules(counts, language, context.prefix).map(([name, count]) => ({
    label: name, insertText: name, kind: 'identifier', detail: 'module', score: count,
  }));
}

function findLineItem(
  code: string, tokens: readonly Token[], context: CursorContext, language: Language, top: CompletionItem | undefined, deadline?: number,
): { item: CompletionItem; agreement: number } | undefined {
  const corpus = getCorpus(language);
  const endIndex = context.partialIndex >= 0 ? context.partialIndex : context.previousIndex + 1;
  const sources: NgramSource[] = [
    { code, tokens, weight: 1, endIndex },
    { code: corpus.code, tokens: corpus.tokens, weight: 2, endIndex: corpus.tokens.length },
  ];
  const [before, last] = readNgramContext(tokens, context.previousIndex);
  const isWord = top?.kind === 'identifier' || top?.kind === 'keyword' || top?.kind === 'member';
  // With a word half typed, continue its best completion; with none, continue the tokens before the cursor.
  const exact = context.prefix === '' ? '' : isWord && top !== undefined ? top.insertText : context.prefix;
  const ngramContext: [string, string] = exact !== '' ? [last, exact] : [before, last];
  if (exact === '' && context.prefix === '' && last === '\u0000') return undefined;
  const { keywords, builtins } = getWordTables(language);
  const isKnownWord = (word: string): boolean =>
    keywords.has(word) || builtins.includes(word) || tokens.some((token, index) => token.text === word && index < endIndex);
  const continuation = predictContinuation(sources, ngramContext, isKnownWord, deadline);
  if (continuation === undefined) return undefined;
  const atSpace = exact === '' && /\s$/.test(code.slice(0, context.to));
  const tail = atSpace ? continuation.text.trimStart() : continuation.text;
  if (tail.trim().length < 2) return undefined;
  const insertText = exact + tail;
  const score = (top?.score ?? 0) * 0.95 * continuation.agreement;
  return { item: { label: insertText, insertText, kind: 'line', score }, agreement: continuation.agreement };
}

/**
 * Puts the members of the receiver's known kind (`users.fi` on an array:
 * `filter`, `find`) above every other word: the ones the document used in
 * the ranker's order, then the rest in the list's (commonest first).
 */
function preferMembers(words: readonly RankedWord[], members: readonly string[], prefix: string): RankedWord[] {
  const wanted = members.filter((member) => member.startsWith(prefix) && member !== prefix);
  if (wanted.length === 0) return [...words];
  const byText = new Map(words.map((word) => [word.text, word]));
  const wantedSet = new Set(wanted);
  const top = words[0]?.score ?? 0;
  const lifted = wanted.map((text, order): RankedWord => {
    const ranked = byText.get(text);
    const score = top + (ranked?.score ?? 0) + (wanted.length - order) * 1e-9;
    return ranked !== undefined ? { ...ranked, score } : { text, keyword: false, score, evidence: 0, features: [] };
  });
  lifted.sort((a, b) => b.score - a.score);
  return [...lifted, ...words.filter((word) => !wantedSet.has(word.text))];
}

/** Keeps the first (best) item of each insert text and of each label: a list shows a word once. */
function removeDuplicates(items: readonly CompletionItem[]): CompletionItem[] {
  const texts = new Set<string>();
  const labels = new Set<string>();
  return items.filter((item) => {
    if (texts.has(item.insertText) || labels.has(item.label)) return false;
    texts.add(item.insertText);
    labels.add(item.label);
    return true;
  });
}

function chooseSuggestion(items: readonly CompletionItem[], prefix: string, total: number): Pick<AutocompleteResponse, 'suggestion' | 'confidence' | 'type'> {
  const best = items.find((item) => item.insertText.startsWith(prefix));
  if (best === undefined) return { suggestion: '', confidence: 0, type: 'identifier' };
  const text = best.kind === 'snippet' ? renderSnippetDefaults(best.insertText) : best.insertText;
  const confidence = Math.min(1, Math.max(0, total > 0 ? best.score / total : 0));
  return { suggestion: text.slice(prefix.length), confidence: Number(confidence.toFixed(3)), type: best.kind };
}

/**
 * Completes at the cursor with the local engine: reads the cursor context
 * from the token stream (Lezer where there is a grammar) and offers members,
 * module names, keywords and snippets, or identifiers, ranked; plus a
 * multi-token continuation for the ghost text when earlier code agrees on one.
 */
export function completeWithEngine(request: CompleteInput, weights: RankingWeights = DEFAULT_WEIGHTS): AutocompleteResponse {
  try {
    return completeWithinBudget(request, weights);
  } catch (error) {
    // Out of time: nothing is ready to offer (a partial ranking would mislead more than it helps).
    if (error instanceof BudgetExceeded) return createEmptyResponse(request.cursorPosition);
    throw error;
  }
}

function completeWithinBudget(request: CompleteInput, weights: RankingWeights): AutocompleteResponse {
  const { code, cursorPosition, deadline } = request;
  const language = toLanguage(request.language);
  const limit = Math.max(1, Math.min(50, Math.floor(request.limit)));
  const tokens = tokenizeDocument(code, language, request.clientKey ?? '', deadline);
  checkBudget(deadline);
  const context = readCursorContext(code, tokens, cursorPosition, language);
  const tables = getWordTables(language);
  let items: CompletionItem[] = [];
  let words: RankedWord[] = [];
  const inProse = context.kind === 'comment' || context.kind === 'string';
  // In prose, what the person types is theirs: offer nothing unless they asked.
  if (inProse && request.explicit !== true) return createEmptyResponse(cursorPosition);
  switch (context.kind) {
    case 'import':
      items = listModuleItems(code, tokens, context, language);
      break;
    case 'string':
    case 'comment':
    case 'member':
    case 'statement':
    case 'definition':
    case 'expression': {
      const members = getLanguageSpec(language).memberOperators;
      words = rankWords(code, tokens, getCorpus(language).tokens, context, language, members, weights, deadline);
      const receiverKind = context.kind === 'member' ? inferReceiverKind(tokens, context.previousIndex, language) : undefined;
      if (receiverKind !== undefined) words = preferMembers(words, getKindMembers(language, receiverKind), context.prefix);
      if (inProse) words = words.filter((word) => !word.keyword);
      const builtins = new Set(context.kind === 'member' ? getStandardMembers(language) : tables.builtins);
      items = words.slice(0, limit + 5).map((word) => toWordItem(word, context.kind, builtins));
      if (context.kind === 'statement') items.push(...listSnippetItems(code, context, language, words));
      break;
    }
    default: {
      const unreachable: never = context.kind;
      throw new Error(`unknown context ${String(unreachable)}`);
    }
  }
  checkBudget(deadline);
  items.sort((a, b) => b.score - a.score);
  const line = inProse ? undefined : findLineItem(code, tokens, context, language, items[0], deadline);
  if (line !== undefined) {
    const leads = context.prefix === '' ? line.agreement >= LINE_AGREEMENT : items.length === 0;
    if (leads) line.item.score = Math.max(line.item.score, (items[0]?.score ?? 0) * 1.01);
    // Below its word the line is ghost text first; in the list it takes the last slot, not a word's.
    else line.item.score = Math.min(line.item.score, items[Math.min(limit, items.length) - 1]?.score ?? 0);
    items.splice(leads ? 0 : Math.min(limit - 1, items.length), 0, line.item);
  }
  items = removeDuplicates(items).slice(0, limit);
  if (items.length === 0) return createEmptyResponse(cursorPosition);
  const total = words.reduce((sum, word) => sum + word.score, 0) || items.reduce((sum, item) => sum + item.score, 0);
  const chosen = chooseSuggestion(items, context.prefix, total);
  if (line !== undefined && line.agreement >= LINE_AGREEMENT && line.item.insertText.startsWith(items[0].insertText)) {
    chosen.suggestion = line.item.insertText.slice(context.prefix.length);
    chosen.type = 'line';
    chosen.confidence = Number(Math.min(1, line.agreement * Math.max(chosen.confidence, 0.5)).toFixed(3));
  }
  return { ...chosen, from: context.from, to: context.to, items };
}
