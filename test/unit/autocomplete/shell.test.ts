import { describe, expect, it } from 'vitest';
import { tokenizeDocument } from '../../../server/autocomplete/tokenize.ts';
import { completeAt, labelsOf } from './complete-at.ts';

function tokensOf(code: string): Array<[string, string]> {
  return tokenizeDocument(code, 'shell', '').map((token) => [token.text, token.category]);
}

describe('shell: what is code and what is text', () => {
  it('reads $name, ${name...}, $(...) and backticks inside double quotes as code, the rest of the string as text', () => {
    expect(tokensOf('echo "to $dest_dir and ${backup:-none} at $(date +%s) `whoami`"')).toEqual([
      ['echo', 'ident'], ['"to ', 'string'], ['$', 'punct'], ['dest_dir', 'ident'], [' and ', 'string'],
      ['${', 'punct'], ['backup', 'ident'], [':', 'punct'], ['-', 'punct'], ['none', 'ident'], ['}', 'punct'],
      [' at ', 'string'], ['$(', 'punct'], ['date', 'ident'], ['+', 'punct'], ['%', 'punct'], ['s', 'ident'], [')', 'punct'],
      [' ', 'string'], ['`', 'punct'], ['whoami', 'ident'], ['`', 'punct'], ['"', 'string'],
    ]);
  });

  it('keeps single-quoted strings, comments and quoted heredocs whole', () => {
    expect(tokensOf("echo '$not_a_var' # $nor_this\n")).toEqual([
      ['echo', 'ident'], ["'$not_a_var'", 'string'], ['# $nor_this', 'comment'],
    ]);
    expect(tokensOf("cat <<'EOF'\n$literal\nEOF\n")).toEqual([
      ['cat', 'ident'], ['<<', 'punct'], ["'EOF'", 'string'], ['$literal\n', 'string'], ['EOF', 'ident'],
    ]);
  });

  it('reads expansions inside a plain heredoc, and a string spanning lines as one string', () => {
    expect(tokensOf('cat <<-EOF\n\tHi $user_name, it\'s ${HOME}\n\tEOF\necho "a\nb c" done_word')).toEqual([
      ['cat', 'ident'], ['<<-', 'punct'], ['EOF', 'ident'], ['\tHi ', 'string'], ['$', 'punct'], ['user_name', 'ident'],
      [", it's ", 'string'], ['${', 'punct'], ['HOME', 'ident'], ['}', 'punct'], ['\n\t', 'string'], ['EOF', 'ident'],
      ['echo', 'ident'], ['"a\nb c"', 'string'], ['done_word', 'ident'],
    ]);
  });

  it('ends a variable name before a hyphen and takes $1, $@, $# whole', () => {
    expect(tokensOf('echo $name-x $1 $@ $#')).toEqual([
      ['echo', 'ident'], ['$', 'punct'], ['name', 'ident'], ['-', 'punct'], ['x', 'ident'], ['$1', 'punct'], ['$@', 'punct'], ['$#', 'punct'],
    ]);
  });

  it('survives nesting no script has, without recursing without bound', () => {
    for (const unit of ['$(', '"$(', '${', '`"$("']) {
      const code = unit.repeat(20_000);
      expect(() => completeAt(`${code}|`, 'shell')).not.toThrow();
    }
  });

  it('reads << in arithmetic as a shift, not a heredoc (a guard: no heredoc swallows the rest)', () => {
    expect(tokensOf('x=$((1 << bits))\necho done_here')).toContainEqual(['done_here', 'ident']);
  });
});

describe('shell: completing', () => {
  it('offers a variable used only inside double quotes', () => {
    expect(labelsOf(completeAt('echo "$target_dir"\necho "${target_dir}/x"\ncd $ta|', 'shell'))[0]).toBe('target_dir');
  });

  it('completes a variable after $ and ${ inside double quotes', () => {
    expect(labelsOf(completeAt('dest=/tmp\necho "copying to $de|', 'shell'))[0]).toBe('dest');
    expect(labelsOf(completeAt(': "${build_root:-/tmp}"\necho "done in ${bu|}"', 'shell'))[0]).toBe('build_root');
  });

  it('completes a variable inside a heredoc, whatever quotes its text holds', () => {
    expect(labelsOf(completeAt("user_label=me\ncat <<EOF\nit's $us|", 'shell'))[0]).toBe('user_label');
  });

  it('still offers nothing in the text of a string (as before)', () => {
    expect(completeAt('dest=/tmp\necho "copying de|', 'shell').items).toEqual([]);
    expect(completeAt("dest=/tmp\necho '$de|", 'shell').items).toEqual([]);
  });

  it('offers the heredoc delimiter on the body\'s last line', () => {
    expect(labelsOf(completeAt('cat <<END_OF_TEXT\nENDING soon, ENDING $x, ENDING\nEN|', 'shell'))[0]).toBe('END_OF_TEXT');
  });

  it('does not count $name in single quotes or comments as a variable', () => {
    const answer = completeAt("echo '$alpha_x $alpha_x $alpha_x' # $alpha_x\nalpha_y=1\necho \"$al|", 'shell');
    expect(labelsOf(answer)[0]).toBe('alpha_y');
  });

  it('never offers a keyword or a hyphenated command after $', () => {
    const labels = labelsOf(completeAt('for d in a; do\n  dpkg-query -l\ndone\ndir_name=x\necho $d|', 'shell'));
    expect(labels).toContain('dir_name');
    expect(labels).not.toContain('done');
    expect(labels).not.toContain('do');
    expect(labels).not.toContain('dpkg-query');
  });

  it('ranks names defined by for, read and local as variables', () => {
    expect(labelsOf(completeAt('for pkg_name in a b; do\n  echo "$pk|', 'shell'))[0]).toBe('pkg_name');
    expect(labelsOf(completeAt('while read -r row_text; do\n  echo "$ro|', 'shell'))[0]).toBe('row_text');
    expect(labelsOf(completeAt('f() {\n  local count_all=0\n  echo "${co|', 'shell'))[0]).toBe('count_all');
  });

  it('offers a function at command position and a variable after $', () => {
    const code = 'deploy_app() {\n  :\n}\ndeploy_flag=1\necho "$deploy_flag" "$deploy_flag"\n';
    expect(labelsOf(completeAt(`${code}de|`, 'shell'))[0]).toBe('deploy_app');
    expect(labelsOf(completeAt(`${code}if true; then de|`, 'shell'))[0]).toBe('deploy_app');
    expect(labelsOf(completeAt(`${code}echo $de|`, 'shell'))[0]).toBe('deploy_flag');
  });
});
