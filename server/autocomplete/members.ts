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

/** Returns the standard members of `language`, offered after any receiver. */
export function getStandardMembers(language: Language): readonly string[] {
  return (MEMBERS[language] ?? '').split(/\s+/).filter(Boolean);
}
