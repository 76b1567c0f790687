import type { Language } from '../../shared/protocol.ts';

const JS_MEMBERS = `length push pop shift unshift map filter reduce forEach find findIndex some every includes indexOf
  join slice splice concat sort reverse keys values entries has get set delete add clear size then catch finally
  resolve reject all race call apply bind prototype constructor toString valueOf hasOwnProperty assign create
  freeze defineProperty getPrototypeOf isArray from parse stringify log error warn info debug replace split trim
  startsWith endsWith toLowerCase toUpperCase charAt charCodeAt substring padStart test exec match max min floor
  round random now exports default emit on once off next done message name stack`;

/**
 * Members of the standard types (strings, lists, maps, promises, the test
 * frameworks' assertion objects) that any receiver may have: after `x.`
 * they are offered even before the document has used them.
 */
const MEMBERS: Partial<Record<Language, string>> = {
  python: `append extend insert remove pop clear index count sort reverse copy keys values items get update
    setdefault add discard join split rsplit strip lstrip rstrip startswith endswith replace lower upper format
    encode decode find rfind splitlines read readline readlines write close flush seek open path exists isfile
    isdir dirname basename abspath getcwd environ argv exit stdout stderr group groups match search sub compile
    assertEqual assertTrue assertFalse assertIn assertNotIn assertIs assertIsNone assertIsNotNone assertRaises
    assertIsInstance assertAlmostEqual assertNotEqual setUp tearDown __init__ __name__ __class__ __dict__
    debug info warning error exception getLogger`,
  javascript: `${JS_MEMBERS} toBe toEqual toStrictEqual toThrow toMatchObject toHaveLength toBeDefined toBeUndefined
    toContain toHaveBeenCalled not resolves rejects`,
  typescript: `${JS_MEMBERS} toBe toEqual toStrictEqual toThrow toMatchObject toHaveLength toBeDefined toBeUndefined
    toContain toHaveBeenCalled not resolves rejects`,
  java: `length size get set put add remove contains isEmpty equals hashCode toString println printf format
    append substring indexOf charAt trim split stream map filter collect forEach getClass valueOf`,
  csharp: `Length Count Add Remove Contains ToString Equals GetHashCode WriteLine Write Format Substring Split Trim
    Select Where ToList First FirstOrDefault Any Keys Values`,
  go: `Println Printf Sprintf Errorf Fprintln Error String Close Read Write Lock Unlock Add Done Wait Len`,
  rust: `unwrap expect clone iter into_iter collect map filter len push pop insert get contains to_string as_str
    is_some is_none is_empty ok_or unwrap_or`,
  ruby: `each map select reject find include? length size empty? nil? to_s to_i to_a keys values push join split
    strip downcase upcase new`,
  php: `count push pop`,
  kotlin: `size length get set add remove contains isEmpty map filter forEach let apply also run toString`,
  swift: `count isEmpty append remove contains map filter forEach first last description`,
  c: '', cpp: 'size push_back begin end empty clear insert erase find first second c_str',
};

const JS_RECEIVERS: Record<string, string> = {
  Object: `keys values entries assign create freeze defineProperty defineProperties getPrototypeOf setPrototypeOf
    getOwnPropertyNames getOwnPropertyDescriptor getOwnPropertyDescriptors getOwnPropertySymbols fromEntries is
    isFrozen seal prototype hasOwn`,
  'Object.prototype': 'hasOwnProperty toString propertyIsEnumerable isPrototypeOf valueOf',
  'Array.prototype': 'slice push concat forEach map filter indexOf join splice reduce some every',
  'String.prototype': 'slice trim replace split toLowerCase toUpperCase',
  'Function.prototype': 'call apply bind toString',
  Array: 'isArray from of prototype',
  Math: `floor ceil round max min abs random pow sqrt log log2 log10 sign trunc exp PI E hypot cbrt imul clz32
    sin cos tan atan atan2 fround`,
  JSON: 'stringify parse',
  Symbol: 'iterator asyncIterator for toStringTag hasInstance toPrimitive species keyFor',
  Promise: 'resolve reject all allSettled race any prototype withResolvers',
  Number: `isInteger isNaN isFinite isSafeInteger parseInt parseFloat MAX_SAFE_INTEGER MIN_SAFE_INTEGER MAX_VALUE
    MIN_VALUE EPSILON POSITIVE_INFINITY NEGATIVE_INFINITY prototype`,
  String: 'fromCharCode fromCodePoint raw prototype',
  Date: 'now parse UTC prototype',
  Reflect: `apply construct defineProperty deleteProperty get getOwnPropertyDescriptor getPrototypeOf has ownKeys
    set setPrototypeOf`,
  Buffer: 'from alloc allocUnsafe isBuffer concat byteLength compare isEncoding',
  process: `env argv exit cwd platform stdout stderr stdin nextTick version versions pid on once emit exitCode
    hrtime memoryUsage arch execPath emitWarning off removeListener title`,
  console: 'log error warn info debug trace table time timeEnd dir assert group groupEnd',
  Error: 'captureStackTrace stackTraceLimit prototype',
  path: 'join resolve dirname basename extname relative normalize isAbsolute sep parse format posix win32 delimiter',
  fs: `readFileSync writeFileSync existsSync mkdirSync readdirSync statSync lstatSync unlinkSync rmSync
    createReadStream createWriteStream readFile writeFile promises stat access mkdir readdir realpathSync`,
  assert: 'ok equal strictEqual deepEqual deepStrictEqual notEqual notStrictEqual throws rejects fail match',
  exports: '__esModule default',
};

/**
 * Members of a receiver whose type the engine knows by its name alone (the
 * global objects of JavaScript: `Object.`, `Math.`, `Symbol.`, `process.`),
 * or `undefined` for any other receiver.
 */
export function getReceiverMembers(language: Language, receiver: string | undefined): readonly string[] | undefined {
  if (receiver === undefined || (language !== 'javascript' && language !== 'typescript')) return undefined;
  // Own keys only: `constructor.` or `__proto__.` must not find Object's prototype members.
  if (!Object.hasOwn(JS_RECEIVERS, receiver)) return undefined;
  return JS_RECEIVERS[receiver].split(/\s+/).filter(Boolean);
}

/** Returns the standard members of `language`, offered after any receiver. */
export function getStandardMembers(language: Language): readonly string[] {
  return (MEMBERS[language] ?? '').split(/\s+/).filter(Boolean);
}
