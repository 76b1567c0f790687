import type { Language } from '../../shared/protocol.ts';
import type { Token } from './token.ts';

/** The kinds of value whose members the engine knows when it can tell the receiver is one. */
export type ReceiverKind = 'array' | 'string' | 'dict';

/** Members of each kind, commonest first (the order breaks ties among members the document never used). */
const KIND_MEMBERS: Partial<Record<Language, Partial<Record<ReceiverKind, string>>>> = {
  javascript: {
    array: `filter find map forEach reduce some every includes indexOf join slice splice concat sort reverse push pop
      shift unshift length findIndex flat flatMap at fill keys values entries lastIndexOf findLast findLastIndex
      reduceRight toSorted toReversed copyWithin`,
    string: `length split slice trim includes startsWith endsWith replace replaceAll toLowerCase toUpperCase indexOf
      charAt charCodeAt substring padStart padEnd match matchAll repeat at trimStart trimEnd localeCompare normalize
      concat search codePointAt lastIndexOf`,
  },
  python: {
    array: 'append extend insert remove pop clear index count sort reverse copy',
    dict: 'get items keys values update pop setdefault popitem clear copy fromkeys',
    string: `join split strip replace startswith endswith lower upper format find rfind index count splitlines
      lstrip rstrip rsplit encode isdigit isalpha isspace title capitalize partition zfill center ljust rjust`,
  },
};
KIND_MEMBERS.typescript = KIND_MEMBERS.javascript;

/** Calls that make a value of a known kind: `list(...)`, `Array.from(...)`. */
const CONSTRUCTORS: Partial<Record<Language, Record<string, ReceiverKind>>> = {
  python: { list: 'array', sorted: 'array', dict: 'dict', str: 'string' },
  javascript: { Array: 'array', String: 'string' },
  typescript: { Array: 'array', String: 'string' },
};

/** How far back to look for the assignment of a receiver name, in tokens. */
const ASSIGNMENT_LOOKBACK = 20_000;

/** Returns the members of `kind` in `language`, commonest first. */
export function getKindMembers(language: Language, kind: ReceiverKind): readonly string[] {
  return (KIND_MEMBERS[language]?.[kind] ?? '').split(/\s+/).filter(Boolean);
}

/** The kind of the value starting at token `index` (a literal, or a call of a known constructor), if it tells. */
function readValueKind(tokens: readonly Token[], index: number, language: Language): ReceiverKind | undefined {
  const token = tokens[index];
  if (token === undefined) return undefined;
  if (token.category === 'string') return 'string';
  if (token.text === '[') return 'array';
  if (token.text === '{') return language === 'python' ? 'dict' : undefined;
  if (token.text === 'new') return readValueKind(tokens, index + 1, language);
  const constructed = CONSTRUCTORS[language]?.[token.text];
  if (constructed === undefined || !Object.hasOwn(CONSTRUCTORS[language]!, token.text)) return undefined;
  const next = tokens[index + 1]?.text;
  return next === '(' || next === '.' ? constructed : undefined;
}

/** Index of the `[` (or `{`) that the closer at `index` closes, or -1. */
function findOpener(tokens: readonly Token[], index: number): number {
  const closer = tokens[index].text;
  const opener = closer === ']' ? '[' : '{';
  let depth = 0;
  for (let at = index; at >= 0 && at > index - ASSIGNMENT_LOOKBACK; at--) {
    const { text } = tokens[at];
    if (text === closer) depth++;
    else if (text === opener && --depth === 0) return at;
  }
  return -1;
}

/**
 * What kind of value the receiver before the member operator at
 * `operatorIndex` is, when the code says so: a literal (`[1, 2].`, `'a'.`,
 * Python `{}.`), or a plain name last assigned one (`users = [...]`,
 * `const name = 'x'`, `counts = dict()`). Anything else is `undefined`.
 */
export function inferReceiverKind(tokens: readonly Token[], operatorIndex: number, language: Language): ReceiverKind | undefined {
  if (KIND_MEMBERS[language] === undefined) return undefined;
  const receiverIndex = operatorIndex - 1;
  const receiver = tokens[receiverIndex];
  if (receiver === undefined) return undefined;
  if (receiver.category === 'string') return 'string';
  if (receiver.text === ']' || (receiver.text === '}' && language === 'python')) {
    const opener = findOpener(tokens, receiverIndex);
    // `items[0].` indexes a value; a bracket after an operator or at the start opens a literal.
    const before = tokens[opener - 1];
    if (opener < 0 || (before !== undefined && (before.category === 'ident' || /^[)\]}]$/.test(before.text)))) return undefined;
    return receiver.text === ']' ? 'array' : 'dict';
  }
  if (receiver.category !== 'ident') return undefined;
  // A plain name only: `self.items.` is some attribute whose assignment this does not follow.
  const beforeReceiver = tokens[receiverIndex - 1]?.text;
  if (beforeReceiver === '.' || beforeReceiver === '?.' || beforeReceiver === '->' || beforeReceiver === '::') return undefined;
  for (let at = receiverIndex - 1; at >= 0 && at > receiverIndex - ASSIGNMENT_LOOKBACK; at--) {
    if (tokens[at].text !== receiver.text || tokens[at - 1]?.text === '.') continue;
    // `name = value`, or TypeScript's `name: Type = value` (the type is skipped up to the `=`).
    let equals = at + 1;
    if (tokens[equals]?.text === ':' && language === 'typescript') {
      while (equals < receiverIndex && equals < at + 12 && tokens[equals].text !== '=') equals++;
    }
    if (tokens[equals]?.text !== '=') continue;
    return readValueKind(tokens, equals + 1, language);
  }
  return undefined;
}
