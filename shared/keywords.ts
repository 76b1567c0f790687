import type { Language } from './protocol.ts';

/** Words a language reserves or predefines, as the engine ranks them. */
export interface WordTables {
  /** Reserved words: offered with kind `keyword`, never mined as names. */
  keywords: ReadonlySet<string>;
  /** Predefined functions, types and values: offered as identifiers even before the document uses them. */
  builtins: readonly string[];
  /** Keywords after which the next name is being defined (the name is new, not looked up). */
  definers: ReadonlySet<string>;
  /** Keywords that open an import; the next words are module names. */
  importers: ReadonlySet<string>;
}

function splitWords(text: string): string[] {
  return text.split(/\s+/).filter((word) => word.length > 0);
}

function createTables(keywords: string, builtins: string, definers: string, importers: string): WordTables {
  return {
    keywords: new Set(splitWords(keywords)),
    builtins: splitWords(builtins),
    definers: new Set(splitWords(definers)),
    importers: new Set(splitWords(importers)),
  };
}

const C_KEYWORDS = `auto break case char const continue default do double else enum extern float for goto if
  inline int long register restrict return short signed sizeof static struct switch typedef union unsigned void
  volatile while bool true false NULL`;
const JS_KEYWORDS = `break case catch class const continue debugger default delete do else export extends false
  finally for function if import in instanceof let new null return super switch this throw true try typeof
  undefined var void while with yield async await of static get set from as`;
const TS_EXTRA = `interface type enum implements private protected public readonly abstract declare namespace
  keyof infer is never unknown any string number boolean symbol bigint object satisfies override`;
const JS_BUILTINS = `console Object Array String Number Boolean Promise Map Set WeakMap WeakSet Symbol BigInt Error
  TypeError RangeError SyntaxError ReferenceError JSON Math Date RegExp Reflect Proxy Intl URL URLSearchParams
  TextEncoder TextDecoder Uint8Array ArrayBuffer DataView parseInt parseFloat isNaN isFinite NaN Infinity
  setTimeout clearTimeout setInterval clearInterval setImmediate queueMicrotask structuredClone fetch
  encodeURIComponent decodeURIComponent require module exports process Buffer globalThis arguments
  describe it test expect beforeEach afterEach beforeAll afterAll`;

const TABLES: Record<Language, WordTables> = {
  python: createTables(
    `False None True and as assert async await break class continue def del elif else except finally for from
     global if import in is lambda nonlocal not or pass raise return try while with yield match case`,
    `self cls print len range str int float list dict set tuple bool isinstance issubclass getattr setattr
     hasattr super enumerate zip open sorted reversed min max sum any all map filter repr type object iter next
     abs ascii bin bytearray bytes callable chr classmethod staticmethod property compile complex delattr dir
     divmod eval exec format frozenset globals locals hash hex id input memoryview oct ord pow round slice vars
     __import__ __name__ __file__ __doc__ __init__ __main__ NotImplemented Ellipsis
     BaseException Exception ArithmeticError AssertionError AttributeError BufferError EOFError ImportError
     ModuleNotFoundError LookupError IndexError KeyError MemoryError NameError OSError FileNotFoundError
     FileExistsError PermissionError TimeoutError ConnectionError OverflowError RecursionError RuntimeError
     NotImplementedError StopIteration StopAsyncIteration SyntaxError SystemExit TypeError UnicodeError
     UnicodeDecodeError UnicodeEncodeError ValueError ZeroDivisionError KeyboardInterrupt GeneratorExit
     Warning UserWarning DeprecationWarning RuntimeWarning`,
    'def class as',
    'import from',
  ),
  javascript: createTables(JS_KEYWORDS, JS_BUILTINS, 'function class let const var', 'import require from'),
  typescript: createTables(`${JS_KEYWORDS} ${TS_EXTRA}`, `${JS_BUILTINS} Record Partial Readonly ReturnType Promise`,
    'function class let const var interface type enum namespace', 'import require from'),
  java: createTables(
    `abstract assert boolean break byte case catch char class const continue default do double else enum
     extends final finally float for if implements import instanceof int interface long native new package
     private protected public return short static super switch synchronized this throw throws transient try
     void volatile while var record true false null`,
    'String System Integer Object List Map ArrayList HashMap Override Exception println out length',
    'class interface enum record', 'import package'),
  c: createTables(C_KEYWORDS, 'printf malloc free size_t memcpy strlen sizeof fprintf stderr uint8_t int32_t',
    'struct enum union typedef', 'include'),
  cpp: createTables(
    `${C_KEYWORDS} alignas alignof and asm catch class constexpr const_cast decltype delete dynamic_cast explicit
     export friend mutable namespace new noexcept nullptr operator or private protected public
     reinterpret_cast static_assert static_cast template this throw try typeid typename using virtual`,
    'std string vector map cout endl size_t unique_ptr shared_ptr make_unique move size push_back',
    'class struct enum union namespace typedef', 'include'),
  csharp: createTables(
    `abstract as base bool break byte case catch char checked class const continue decimal default delegate do
     double else enum event explicit extern false finally fixed float for foreach goto if implicit in int
     interface internal is lock long namespace new null object operator out override params private protected
     public readonly ref return sbyte sealed short sizeof static string struct switch this throw true try
     typeof uint ulong unchecked unsafe ushort using var virtual void volatile while async await get set`,
    'Console WriteLine String List Dictionary Task Exception Math Length Count', 'class interface struct enum namespace',
    'using'),
  go: createTables(
    `break case chan const continue default defer else fallthrough for func go goto if import interface map
     package range return select struct switch type var true false nil iota`,
    'fmt err error string int int64 bool byte len cap make new append panic recover Println Errorf context',
    'func type var const', 'import package'),
  rust: createTables(
    `as async await break const continue crate dyn else enum extern false fn for if impl in let loop match mod
     move mut pub ref return self Self static struct super trait true type unsafe use where while`,
    'String Vec Option Some None Result Ok Err Box println format vec new clone unwrap iter into',
    'fn struct enum trait type mod let const static', 'use mod extern'),
  ruby: createTables(
    `BEGIN END alias and begin break case class def defined? do else elsif end ensure false for if in module
     next nil not or redo rescue retry return self super then true undef unless until when while yield`,
    'puts print require attr_accessor attr_reader new each map select raise lambda proc include',
    'def class module', 'require require_relative'),
  php: createTables(
    `abstract and array as break callable case catch class clone const continue declare default do echo else
     elseif empty enddeclare endfor endforeach endif endswitch endwhile extends final finally fn for foreach
     function global goto if implements include include_once instanceof insteadof interface isset list match
     namespace new or print private protected public readonly require require_once return static switch throw
     trait try unset use var while yield true false null`,
    '$this count strlen array_map array_keys in_array is_array explode implode sprintf json_encode',
    'function class interface trait', 'use require require_once include include_once namespace'),
  kotlin: createTables(
    `as break class continue do else false for fun if in interface is null object package return super this
     throw true try typealias typeof val var when while by catch constructor companion data enum finally get
     import init internal lateinit open override private protected public sealed set suspend`,
    'println listOf mutableListOf mapOf String Int Boolean Unit Any let apply also run require',
    'fun class interface object val var typealias', 'import package'),
  swift: createTables(
    `associatedtype class deinit enum extension fileprivate func import init inout internal let open operator
     private protocol public static struct subscript typealias var break case continue default defer do else
     fallthrough for guard if in repeat return switch where while as catch false is nil rethrows super self
     Self throw throws true try async await`,
    'print String Int Double Bool Array Dictionary count append map filter', 'func class struct enum protocol let var',
    'import'),
  sql: createTables(
    `SELECT FROM WHERE INSERT INTO VALUES UPDATE SET DELETE CREATE TABLE DROP ALTER ADD INDEX PRIMARY KEY
     FOREIGN REFERENCES NOT NULL DEFAULT UNIQUE AND OR IN IS LIKE BETWEEN JOIN INNER LEFT RIGHT OUTER ON AS
     GROUP BY ORDER HAVING LIMIT OFFSET DISTINCT UNION ALL CASE WHEN THEN ELSE END EXISTS WITH ASC DESC
     select from where insert into values update set delete create table drop alter join on as group by order
     and or not null limit`,
    'COUNT SUM AVG MIN MAX COALESCE NOW INTEGER TEXT VARCHAR BOOLEAN TIMESTAMP count sum avg coalesce',
    'TABLE table', ''),
  html: createTables('', 'div span class href src id style script link meta title body head html', '', ''),
  css: createTables('important', 'color background margin padding display flex grid width height border font-size', '', 'import'),
  json: createTables('true false null', '', '', ''),
  markdown: createTables('', '', '', ''),
  shell: createTables(
    `if then else elif fi case esac for select while until do done in function time return exit export local
     readonly declare unset shift break continue`,
    `echo printf cd ls grep sed awk cat mkdir rm cp mv test set source exec eval read trap true false command
     type getopts wait kill sleep basename dirname readlink realpath mktemp head tail sort uniq wc tr cut find xargs
     tee touch chmod chown ln date env printenv pwd umask shopt`,
    'function', 'source'),
  plaintext: createTables('', '', '', ''),
};

/** Returns the keyword and builtin tables of `language`. */
export function getWordTables(language: Language): WordTables {
  return TABLES[language];
}
