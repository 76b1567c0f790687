import type { Language } from '../../shared/protocol.ts';

// Names JavaScript and TypeScript code everywhere uses for its own variables, parameters and
// functions (written for Pairpad from general knowledge, not mined from any measured file).
const JS_NAMES = `options opts config settings defaults value values result results error err errors callback cb
  done next data index idx length name names type types key keys args argv params param props state context ctx
  node nodes path paths file files dir filename dirname start end offset size count total items item list array
  arr map set obj object source target dest input output buffer buf chunk chunks stream str string text line
  lines token tokens char code message msg event events listener handler handlers fn func resolve reject
  promise request req response res headers body url uri query method status host port timeout delay interval
  timer id uid parent children child element el root tree entry entries pattern regex match matches prefix
  suffix separator sep width height min max left right top bottom row rows column columns col cell label title
  description version module exports require process env debug log logger level format parse parser serialize
  deserialize encode decode encoding schema actual rule rules plugin plugins
  instance client server socket connection session user users account password token tokens secret hash
  content selector style styles className attributes attr attrs tag tagName window document self global
  isArray isObject isString isNumber isFunction isUndefined isNull isEmpty isValid has get set add remove delete
  clear create update insert find filter reduce forEach some every includes indexOf concat slice splice push pop
  shift unshift sort reverse join split replace trim toString valueOf apply call bind init setup run main
  render mount unmount handle emit on off once dispatch subscribe unsubscribe notify listen close open read
  write flush reset destroy dispose cancel abort signal controller store cache queue stack scope range position
  pos cursor current previous prev last first head tail depth level step mode kind flags flag enabled disabled
  visible hidden active selected checked loading loaded ready pending success failure warning warn info trace
  date time now timestamp duration ms seconds minutes hours days year month day week locale lang language
  number boolean symbol bigint integer float double version property properties validate validator user header
  decoder encoder closed build builder found adapter transform transformer visitor walk compile compiler emitter
  ast loc span raw payload meta metadata extra details hooks hook middleware route routes router app model models
  view component components ref refs template field fields record records table tables db database migration
  transaction exists equal equals compare clone copy merge extend noop identity wrap unwrap toArray normalize
  filePath fileName baseUrl require fs os http https util crypto assert events child_process readline zlib net
  isDev production development test spec describe expected actual fixture fixtures mock stub spy`;

const TS_NAMES = `Record Partial Required Readonly Pick Omit Exclude Extract NonNullable ReturnType
  Parameters InstanceType Awaited Promise Array ReadonlyArray Map Set PromiseLike Iterable IterableIterator
  AsyncIterable Function Uint8Array ArrayBuffer unknown never any void string number boolean object symbol
  Options Config Context State Props Result Error Input Output Value Key Type Schema Node Token Event Handler
  Callback Listener Request Response Message Payload Data Item Entry Params Args`;

// Members code reads and calls on objects it did not define: the DOM, Node streams and
// HTTP, errors, dates, numbers, iterators and test frameworks.
const JS_MEMBER_NAMES = `addEventListener removeEventListener dispatchEvent querySelector querySelectorAll getElementById
  getElementsByTagName getElementsByClassName createElement createTextNode appendChild removeChild insertBefore
  replaceChild cloneNode setAttribute getAttribute removeAttribute hasAttribute classList className textContent
  innerHTML outerHTML innerText style dataset parentNode parentElement childNodes firstChild lastChild
  nextSibling previousSibling children nodeType nodeName tagName ownerDocument contains focus blur click
  preventDefault stopPropagation target currentTarget detail key code value checked disabled
  write end pipe read on once off emit removeListener removeAllListeners listeners destroy resume pause
  setEncoding setHeader getHeader writeHead statusCode statusMessage headers body url method params query json
  send status listen close use get post put patch
  code message name stack cause errno syscall
  getTime getFullYear getMonth getDate getDay getHours getMinutes getSeconds getMilliseconds toISOString
  toUTCString toLocaleString toLocaleDateString toDateString toJSON setTime
  toFixed toPrecision toString valueOf
  next done value return throw iterator
  call apply bind prototype constructor __proto__ name length
  codePointAt charCodeAt fromCharCode normalize localeCompare repeat padEnd padStart trimStart trimEnd
  lastIndexOf matchAll replaceAll search at flat flatMap fill copyWithin subarray buffer byteLength byteOffset
  readUInt8 readUInt16BE readUInt32BE readInt32BE writeUInt8 writeUInt16BE writeUInt32BE writeInt32BE
  toEqual toBe toStrictEqual toThrow toThrowError toMatch toMatchObject toMatchSnapshot toMatchInlineSnapshot
  toHaveBeenCalledWith toHaveBeenCalledTimes toHaveLength toHaveProperty toBeTruthy toBeFalsy toBeNull
  toBeInstanceOf toBeGreaterThan toBeLessThan toContainEqual mockReturnValue mockImplementation mockResolvedValue
  options config data type kind id parent children type start end source target state props context
  min max size count items length`;

// Variables shell scripts read without setting them (the environment, bash's own) and common names of their own.
const SHELL_NAMES = `HOME PATH PWD OLDPWD USER SHELL IFS TMPDIR LANG LC_ALL OPTARG OPTIND REPLY BASH_SOURCE
  FUNCNAME LINENO RANDOM PIPESTATUS EUID UID HOSTNAME DESTDIR PREFIX CC CFLAGS LDFLAGS DEBUG VERBOSE
  file files dir line name arg args opt option version tmp tmpdir target src dest path prefix status rc ret
  result output input config force verbose quiet pkg package`;

const VOCABULARY: Partial<Record<Language, { names: string; members: string }>> = {
  javascript: { names: JS_NAMES, members: JS_MEMBER_NAMES },
  typescript: { names: `${JS_NAMES} ${TS_NAMES}`, members: JS_MEMBER_NAMES },
  shell: { names: SHELL_NAMES, members: '' },
};

const split = new Map<string, readonly string[]>();

function splitOnce(text: string): readonly string[] {
  let words = split.get(text);
  if (words === undefined) {
    words = [...new Set(text.split(/\s+/).filter(Boolean))];
    split.set(text, words);
  }
  return words;
}

/**
 * Names programs of `language` commonly give their own variables and
 * functions (`role: 'names'`), or commonly read on objects they did not
 * define (`role: 'members'`): candidates before the document has used them.
 */
export function getCommonNames(language: Language, role: 'names' | 'members'): readonly string[] {
  const vocabulary = VOCABULARY[language];
  return vocabulary === undefined ? [] : splitOnce(vocabulary[role]);
}
