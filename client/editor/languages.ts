import { LanguageSupport, StreamLanguage } from '@codemirror/language';
import type { Extension } from '@codemirror/state';
import type { Language } from '../../shared/protocol.ts';

/**
 * Loads the CodeMirror support of a language. Each one is a dynamic import,
 * so the editor page only downloads the grammar of the language in use
 * (`@codemirror/lang-*` where one exists, `@codemirror/legacy-modes`
 * otherwise). Rejects when the chunk cannot be fetched (offline).
 */
export async function loadLanguageSupport(language: Language): Promise<Extension> {
  switch (language) {
    // Python and JavaScript without their own completion sources: their
    // keywords and builtins would list words a second time beside ours
    // (keyword-completions.ts and the server's), with other ranks.
    case 'python':
      return new LanguageSupport((await import('@codemirror/lang-python')).pythonLanguage);
    case 'javascript':
      return new LanguageSupport((await import('@codemirror/lang-javascript')).javascriptLanguage);
    case 'typescript':
      return new LanguageSupport((await import('@codemirror/lang-javascript')).typescriptLanguage);
    case 'java':
      return (await import('@codemirror/lang-java')).java();
    case 'c':
    case 'cpp':
      return (await import('@codemirror/lang-cpp')).cpp();
    case 'csharp':
      return StreamLanguage.define((await import('@codemirror/legacy-modes/mode/clike')).csharp);
    case 'go':
      return (await import('@codemirror/lang-go')).go();
    case 'rust':
      return (await import('@codemirror/lang-rust')).rust();
    case 'ruby':
      return StreamLanguage.define((await import('@codemirror/legacy-modes/mode/ruby')).ruby);
    case 'php':
      return (await import('@codemirror/lang-php')).php();
    case 'kotlin':
      return StreamLanguage.define((await import('@codemirror/legacy-modes/mode/clike')).kotlin);
    case 'swift':
      return StreamLanguage.define((await import('@codemirror/legacy-modes/mode/swift')).swift);
    case 'sql':
      return (await import('@codemirror/lang-sql')).sql();
    case 'html':
      return (await import('@codemirror/lang-html')).html();
    case 'css':
      return (await import('@codemirror/lang-css')).css();
    case 'json':
      return (await import('@codemirror/lang-json')).json();
    case 'markdown':
      return (await import('@codemirror/lang-markdown')).markdown();
    case 'shell':
      return StreamLanguage.define((await import('@codemirror/legacy-modes/mode/shell')).shell);
    case 'plaintext':
      return [];
    default:
      return assertNever(language);
  }
}

function assertNever(value: never): never {
  throw new Error(`unsupported language ${String(value)}`);
}
