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

function defineSnippet(trigger: string, detail: string, body: string): Snippet {
  return { trigger, detail, body };
}

const C_STYLE_FLOW = [
  defineSnippet('if', 'if statement', 'if (${1:condition}) {\n\t${0}\n}'),
  defineSnippet('while', 'while loop', 'while (${1:condition}) {\n\t${0}\n}'),
];
const JS_SNIPPETS = [
  defineSnippet('function', 'function', 'function ${1:name}(${2:params}) {\n\t${0}\n}'),
  defineSnippet('class', 'class', 'class ${1:Name} {\n\tconstructor(${2:params}) {\n\t\t${0}\n\t}\n}'),
  defineSnippet('for', 'for...of loop', 'for (const ${1:item} of ${2:items}) {\n\t${0}\n}'),
  defineSnippet('for', 'indexed for loop', 'for (let ${1:i} = 0; ${1:i} < ${2:items}.length; ${1:i}++) {\n\t${0}\n}'),
  ...C_STYLE_FLOW,
  defineSnippet('try', 'try/catch', 'try {\n\t${1}\n} catch (${2:error}) {\n\t${0}\n}'),
  defineSnippet('import', 'import', "import { ${2:name} } from '${1:module}';"),
];
const C_SNIPPETS = [
  defineSnippet('for', 'for loop', 'for (int ${1:i} = 0; ${1:i} < ${2:n}; ${1:i}++) {\n\t${0}\n}'),
  ...C_STYLE_FLOW,
  defineSnippet('include', 'include', '#include <${1:stdio.h}>'),
  defineSnippet('int', 'main function', 'int main(int argc, char **argv) {\n\t${0}\n\treturn 0;\n}'),
  defineSnippet('struct', 'struct', 'struct ${1:Name} {\n\t${0}\n};'),
];

const SNIPPETS: Record<Language, readonly Snippet[]> = {
  python: [
    defineSnippet('def', 'function', 'def ${1:name}(${2:args}):\n\t${0:pass}'),
    defineSnippet('class', 'class', 'class ${1:Name}:\n\tdef __init__(self${2:, args}):\n\t\t${0:pass}'),
    defineSnippet('for', 'for loop', 'for ${1:item} in ${2:items}:\n\t${0:pass}'),
    defineSnippet('while', 'while loop', 'while ${1:condition}:\n\t${0:pass}'),
    defineSnippet('if', 'if statement', 'if ${1:condition}:\n\t${0:pass}'),
    defineSnippet('if', 'main guard', 'if __name__ == "__main__":\n\t${0:main()}'),
    defineSnippet('try', 'try/except', 'try:\n\t${1:pass}\nexcept ${2:Exception} as ${3:error}:\n\t${0:raise}'),
    defineSnippet('with', 'with statement', 'with ${1:open(path)} as ${2:f}:\n\t${0:pass}'),
    defineSnippet('import', 'import', 'import ${1:module}'),
    defineSnippet('from', 'from import', 'from ${1:module} import ${2:name}'),
  ],
  javascript: JS_SNIPPETS,
  typescript: [
    ...JS_SNIPPETS,
    defineSnippet('interface', 'interface', 'interface ${1:Name} {\n\t${0}\n}'),
    defineSnippet('function', 'typed function', 'function ${1:name}(${2:params}): ${3:void} {\n\t${0}\n}'),
  ],
  java: [
    defineSnippet('class', 'class', 'public class ${1:Name} {\n\t${0}\n}'),
    defineSnippet('public', 'main method', 'public static void main(String[] args) {\n\t${0}\n}'),
    defineSnippet('for', 'for loop', 'for (int ${1:i} = 0; ${1:i} < ${2:n}; ${1:i}++) {\n\t${0}\n}'),
    ...C_STYLE_FLOW,
    defineSnippet('try', 'try/catch', 'try {\n\t${1}\n} catch (${2:Exception} ${3:e}) {\n\t${0}\n}'),
    defineSnippet('import', 'import', 'import ${1:java.util.List};'),
  ],
  c: C_SNIPPETS,
  cpp: [
    ...C_SNIPPETS,
    defineSnippet('class', 'class', 'class ${1:Name} {\npublic:\n\t${1:Name}();\n\t${0}\n};'),
    defineSnippet('try', 'try/catch', 'try {\n\t${1}\n} catch (const std::exception& ${2:e}) {\n\t${0}\n}'),
  ],
  csharp: [
    defineSnippet('class', 'class', 'public class ${1:Name}\n{\n\t${0}\n}'),
    defineSnippet('foreach', 'foreach loop', 'foreach (var ${1:item} in ${2:items})\n{\n\t${0}\n}'),
    ...C_STYLE_FLOW,
    defineSnippet('try', 'try/catch', 'try\n{\n\t${1}\n}\ncatch (${2:Exception} ${3:ex})\n{\n\t${0}\n}'),
    defineSnippet('using', 'using', 'using ${1:System};'),
  ],
  go: [
    defineSnippet('func', 'function', 'func ${1:name}(${2:params}) ${3:error} {\n\t${0}\n}'),
    defineSnippet('func', 'main function', 'func main() {\n\t${0}\n}'),
    defineSnippet('for', 'range loop', 'for ${1:_}, ${2:item} := range ${3:items} {\n\t${0}\n}'),
    defineSnippet('if', 'if err', 'if err != nil {\n\treturn ${0:err}\n}'),
    defineSnippet('type', 'struct type', 'type ${1:Name} struct {\n\t${0}\n}'),
    defineSnippet('import', 'import', 'import "${1:fmt}"'),
  ],
  rust: [
    defineSnippet('fn', 'function', 'fn ${1:name}(${2:args}) ${3:-> ()} {\n\t${0}\n}'),
    defineSnippet('fn', 'main function', 'fn main() {\n\t${0}\n}'),
    defineSnippet('struct', 'struct', 'struct ${1:Name} {\n\t${0}\n}'),
    defineSnippet('impl', 'impl block', 'impl ${1:Name} {\n\t${0}\n}'),
    defineSnippet('for', 'for loop', 'for ${1:item} in ${2:items} {\n\t${0}\n}'),
    defineSnippet('if', 'if', 'if ${1:condition} {\n\t${0}\n}'),
    defineSnippet('match', 'match', 'match ${1:value} {\n\t${2:pattern} => ${0},\n}'),
    defineSnippet('use', 'use', 'use ${1:std::collections::HashMap};'),
  ],
  ruby: [
    defineSnippet('def', 'method', 'def ${1:name}(${2:args})\n\t${0}\nend'),
    defineSnippet('class', 'class', 'class ${1:Name}\n\tdef initialize(${2:args})\n\t\t${0}\n\tend\nend'),
    defineSnippet('if', 'if', 'if ${1:condition}\n\t${0}\nend'),
    defineSnippet('begin', 'begin/rescue', 'begin\n\t${1}\nrescue ${2:StandardError} => ${3:e}\n\t${0}\nend'),
    defineSnippet('require', 'require', "require '${1:json}'"),
  ],
  php: [
    defineSnippet('function', 'function', 'function ${1:name}(${2:$args})\n{\n\t${0}\n}'),
    defineSnippet('class', 'class', 'class ${1:Name}\n{\n\t${0}\n}'),
    defineSnippet('foreach', 'foreach loop', 'foreach (${1:$items} as ${2:$item}) {\n\t${0}\n}'),
    ...C_STYLE_FLOW,
    defineSnippet('try', 'try/catch', 'try {\n\t${1}\n} catch (${2:Exception} ${3:$e}) {\n\t${0}\n}'),
  ],
  kotlin: [
    defineSnippet('fun', 'function', 'fun ${1:name}(${2:args}) {\n\t${0}\n}'),
    defineSnippet('fun', 'main function', 'fun main(args: Array<String>) {\n\t${0}\n}'),
    defineSnippet('class', 'class', 'class ${1:Name}(${2:args}) {\n\t${0}\n}'),
    defineSnippet('for', 'for loop', 'for (${1:item} in ${2:items}) {\n\t${0}\n}'),
    ...C_STYLE_FLOW,
    defineSnippet('try', 'try/catch', 'try {\n\t${1}\n} catch (${2:e}: ${3:Exception}) {\n\t${0}\n}'),
  ],
  swift: [
    defineSnippet('func', 'function', 'func ${1:name}(${2:args}) {\n\t${0}\n}'),
    defineSnippet('struct', 'struct', 'struct ${1:Name} {\n\t${0}\n}'),
    defineSnippet('for', 'for-in loop', 'for ${1:item} in ${2:items} {\n\t${0}\n}'),
    defineSnippet('if', 'if', 'if ${1:condition} {\n\t${0}\n}'),
    defineSnippet('guard', 'guard let', 'guard let ${1:value} = ${2:optional} else {\n\t${0:return}\n}'),
  ],
  sql: [
    defineSnippet('SELECT', 'select', 'SELECT ${1:*} FROM ${2:table} WHERE ${0:condition};'),
    defineSnippet('INSERT', 'insert', 'INSERT INTO ${1:table} (${2:columns}) VALUES (${0:values});'),
    defineSnippet('CREATE', 'create table', 'CREATE TABLE ${1:name} (\n\t${0:id INTEGER PRIMARY KEY}\n);'),
  ],
  shell: [
    defineSnippet('if', 'if', 'if [ ${1:condition} ]; then\n\t${0}\nfi'),
    defineSnippet('for', 'for loop', 'for ${1:item} in ${2:items}; do\n\t${0}\ndone'),
    defineSnippet('while', 'while loop', 'while ${1:condition}; do\n\t${0}\ndone'),
    defineSnippet('function', 'function', '${1:name}() {\n\t${0}\n}'),
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
