import type { Language } from '../../shared/protocol.ts';

/** A template for a common construct; `${n:placeholder}` marks the fields, `${0}` where the cursor ends. */
export interface Snippet {
  /** What the user types to get it: usually the construct's keyword. */
  trigger: string;
  /** Shown beside the label. */
  detail: string;
  /** The template; `\n` lines are re-indented to the cursor's line, `\t` is one indent level. */
  body: string;
}

function s(trigger: string, detail: string, body: string): Snippet {
  return { trigger, detail, body };
}

const C_STYLE_FLOW = [
  s('if', 'if statement', 'if (${1:condition}) {\n\t${0}\n}'),
  s('while', 'while loop', 'while (${1:condition}) {\n\t${0}\n}'),
];
const JS_SNIPPETS = [
  s('function', 'function', 'function ${1:name}(${2:params}) {\n\t${0}\n}'),
  s('class', 'class', 'class ${1:Name} {\n\tconstructor(${2:params}) {\n\t\t${0}\n\t}\n}'),
  s('for', 'for...of loop', 'for (const ${1:item} of ${2:items}) {\n\t${0}\n}'),
  s('for', 'indexed for loop', 'for (let ${1:i} = 0; ${1:i} < ${2:items}.length; ${1:i}++) {\n\t${0}\n}'),
  ...C_STYLE_FLOW,
  s('try', 'try/catch', 'try {\n\t${1}\n} catch (${2:error}) {\n\t${0}\n}'),
  s('import', 'import', "import { ${2:name} } from '${1:module}';"),
];
const C_SNIPPETS = [
  s('for', 'for loop', 'for (int ${1:i} = 0; ${1:i} < ${2:n}; ${1:i}++) {\n\t${0}\n}'),
  ...C_STYLE_FLOW,
  s('include', 'include', '#include <${1:stdio.h}>'),
  s('int', 'main function', 'int main(int argc, char **argv) {\n\t${0}\n\treturn 0;\n}'),
  s('struct', 'struct', 'struct ${1:Name} {\n\t${0}\n};'),
];

const SNIPPETS: Record<Language, readonly Snippet[]> = {
  python: [
    s('def', 'function', 'def ${1:name}(${2:args}):\n\t${0:pass}'),
    s('class', 'class', 'class ${1:Name}:\n\tdef __init__(self${2:, args}):\n\t\t${0:pass}'),
    s('for', 'for loop', 'for ${1:item} in ${2:items}:\n\t${0:pass}'),
    s('while', 'while loop', 'while ${1:condition}:\n\t${0:pass}'),
    s('if', 'if statement', 'if ${1:condition}:\n\t${0:pass}'),
    s('if', 'main guard', 'if __name__ == "__main__":\n\t${0:main()}'),
    s('try', 'try/except', 'try:\n\t${1:pass}\nexcept ${2:Exception} as ${3:error}:\n\t${0:raise}'),
    s('with', 'with statement', 'with ${1:open(path)} as ${2:f}:\n\t${0:pass}'),
    s('import', 'import', 'import ${1:module}'),
    s('from', 'from import', 'from ${1:module} import ${2:name}'),
  ],
  javascript: JS_SNIPPETS,
  typescript: [
    ...JS_SNIPPETS,
    s('interface', 'interface', 'interface ${1:Name} {\n\t${0}\n}'),
    s('function', 'typed function', 'function ${1:name}(${2:params}): ${3:void} {\n\t${0}\n}'),
  ],
  java: [
    s('class', 'class', 'public class ${1:Name} {\n\t${0}\n}'),
    s('public', 'main method', 'public static void main(String[] args) {\n\t${0}\n}'),
    s('for', 'for loop', 'for (int ${1:i} = 0; ${1:i} < ${2:n}; ${1:i}++) {\n\t${0}\n}'),
    ...C_STYLE_FLOW,
    s('try', 'try/catch', 'try {\n\t${1}\n} catch (${2:Exception} ${3:e}) {\n\t${0}\n}'),
    s('import', 'import', 'import ${1:java.util.List};'),
  ],
  c: C_SNIPPETS,
  cpp: [
    ...C_SNIPPETS,
    s('class', 'class', 'class ${1:Name} {\npublic:\n\t${1:Name}();\n\t${0}\n};'),
    s('try', 'try/catch', 'try {\n\t${1}\n} catch (const std::exception& ${2:e}) {\n\t${0}\n}'),
  ],
  csharp: [
    s('class', 'class', 'public class ${1:Name}\n{\n\t${0}\n}'),
    s('foreach', 'foreach loop', 'foreach (var ${1:item} in ${2:items})\n{\n\t${0}\n}'),
    ...C_STYLE_FLOW,
    s('try', 'try/catch', 'try\n{\n\t${1}\n}\ncatch (${2:Exception} ${3:ex})\n{\n\t${0}\n}'),
    s('using', 'using', 'using ${1:System};'),
  ],
  go: [
    s('func', 'function', 'func ${1:name}(${2:params}) ${3:error} {\n\t${0}\n}'),
    s('func', 'main function', 'func main() {\n\t${0}\n}'),
    s('for', 'range loop', 'for ${1:_}, ${2:item} := range ${3:items} {\n\t${0}\n}'),
    s('if', 'if err', 'if err != nil {\n\treturn ${0:err}\n}'),
    s('type', 'struct type', 'type ${1:Name} struct {\n\t${0}\n}'),
    s('import', 'import', 'import "${1:fmt}"'),
  ],
  rust: [
    s('fn', 'function', 'fn ${1:name}(${2:args}) ${3:-> ()} {\n\t${0}\n}'),
    s('fn', 'main function', 'fn main() {\n\t${0}\n}'),
    s('struct', 'struct', 'struct ${1:Name} {\n\t${0}\n}'),
    s('impl', 'impl block', 'impl ${1:Name} {\n\t${0}\n}'),
    s('for', 'for loop', 'for ${1:item} in ${2:items} {\n\t${0}\n}'),
    s('if', 'if', 'if ${1:condition} {\n\t${0}\n}'),
    s('match', 'match', 'match ${1:value} {\n\t${2:pattern} => ${0},\n}'),
    s('use', 'use', 'use ${1:std::collections::HashMap};'),
  ],
  ruby: [
    s('def', 'method', 'def ${1:name}(${2:args})\n\t${0}\nend'),
    s('class', 'class', 'class ${1:Name}\n\tdef initialize(${2:args})\n\t\t${0}\n\tend\nend'),
    s('if', 'if', 'if ${1:condition}\n\t${0}\nend'),
    s('begin', 'begin/rescue', 'begin\n\t${1}\nrescue ${2:StandardError} => ${3:e}\n\t${0}\nend'),
    s('require', 'require', "require '${1:json}'"),
  ],
  php: [
    s('function', 'function', 'function ${1:name}(${2:$args})\n{\n\t${0}\n}'),
    s('class', 'class', 'class ${1:Name}\n{\n\t${0}\n}'),
    s('foreach', 'foreach loop', 'foreach (${1:$items} as ${2:$item}) {\n\t${0}\n}'),
    ...C_STYLE_FLOW,
    s('try', 'try/catch', 'try {\n\t${1}\n} catch (${2:Exception} ${3:$e}) {\n\t${0}\n}'),
  ],
  kotlin: [
    s('fun', 'function', 'fun ${1:name}(${2:args}) {\n\t${0}\n}'),
    s('fun', 'main function', 'fun main(args: Array<String>) {\n\t${0}\n}'),
    s('class', 'class', 'class ${1:Name}(${2:args}) {\n\t${0}\n}'),
    s('for', 'for loop', 'for (${1:item} in ${2:items}) {\n\t${0}\n}'),
    ...C_STYLE_FLOW,
    s('try', 'try/catch', 'try {\n\t${1}\n} catch (${2:e}: ${3:Exception}) {\n\t${0}\n}'),
  ],
  swift: [
    s('func', 'function', 'func ${1:name}(${2:args}) {\n\t${0}\n}'),
    s('struct', 'struct', 'struct ${1:Name} {\n\t${0}\n}'),
    s('for', 'for-in loop', 'for ${1:item} in ${2:items} {\n\t${0}\n}'),
    s('if', 'if', 'if ${1:condition} {\n\t${0}\n}'),
    s('guard', 'guard let', 'guard let ${1:value} = ${2:optional} else {\n\t${0:return}\n}'),
  ],
  sql: [
    s('SELECT', 'select', 'SELECT ${1:*} FROM ${2:table} WHERE ${0:condition};'),
    s('INSERT', 'insert', 'INSERT INTO ${1:table} (${2:columns}) VALUES (${0:values});'),
    s('CREATE', 'create table', 'CREATE TABLE ${1:name} (\n\t${0:id INTEGER PRIMARY KEY}\n);'),
  ],
  shell: [
    s('if', 'if', 'if [ ${1:condition} ]; then\n\t${0}\nfi'),
    s('for', 'for loop', 'for ${1:item} in ${2:items}; do\n\t${0}\ndone'),
    s('while', 'while loop', 'while ${1:condition}; do\n\t${0}\ndone'),
    s('function', 'function', '${1:name}() {\n\t${0}\n}'),
  ],
  html: [], css: [], json: [], markdown: [], plaintext: [],
};

/** Returns the snippets of `language` whose trigger starts with `prefix`. */
export function findSnippets(language: Language, prefix: string): Snippet[] {
  return SNIPPETS[language].filter((snippet) => snippet.trigger.startsWith(prefix));
}

/** Re-indents a snippet body for a line indented with `indent`, using `unit` for one level. */
export function indentSnippet(body: string, indent: string, unit: string): string {
  return body.replace(/\n(\t*)/g, (_, tabs: string) => `\n${indent}${unit.repeat(tabs.length)}`);
}

/** The text a snippet inserts when its fields keep their placeholders (`${1:name}` → `name`). */
export function renderSnippetDefaults(body: string): string {
  return body.replace(/\$\{\d+(?::([^}]*))?\}/g, (_, placeholder: string | undefined) => placeholder ?? '');
}
