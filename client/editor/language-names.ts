import { LANGUAGES, type Language } from '../../shared/protocol.ts';

/** How each language of `LANGUAGES` is named in the language menu. */
export const LANGUAGE_LABELS: Record<Language, string> = {
  python: 'Python', javascript: 'JavaScript', typescript: 'TypeScript', java: 'Java', c: 'C',
  cpp: 'C++', csharp: 'C#', go: 'Go', rust: 'Rust', ruby: 'Ruby', php: 'PHP', kotlin: 'Kotlin',
  swift: 'Swift', sql: 'SQL', html: 'HTML', css: 'CSS', json: 'JSON', markdown: 'Markdown',
  shell: 'Shell', plaintext: 'Plain text',
};

/** The languages in menu order (alphabetical by label, plain text last). */
export function listLanguageOptions(): { value: Language; label: string }[] {
  const options: { value: Language; label: string }[] = LANGUAGES.filter((l) => l !== 'plaintext')
    .map((value) => ({ value, label: LANGUAGE_LABELS[value] }))
    .sort((a, b) => a.label.localeCompare(b.label));
  return [...options, { value: 'plaintext', label: LANGUAGE_LABELS.plaintext }];
}
