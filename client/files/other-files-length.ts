import type * as Y from 'yjs';
import { CODE_TEXT } from '../../shared/protocol.ts';
import { filesMap, filesTextLength } from '../../shared/room-files.ts';

/** What the room holds beside the file being typed in (for the editor's size limit). */
export interface OtherFilesLength {
  /** Characters of every other file's text and every path; counted again only after they changed. */
  chars(): number;
  destroy(): void;
}

/**
 * Keeps the length of everything but the text on screen, so that a
 * keystroke does not walk all the files of the room (200 files: ~50 µs a
 * call): the count is redone only after another file, a path or the file
 * on screen changed.
 */
export function trackOtherFilesLength(doc: Y.Doc, shownText: () => Y.Text): OtherFilesLength {
  let cached: number | undefined;
  let cachedFor: Y.Text | undefined;
  const code = doc.getText(CODE_TEXT);
  const onFiles = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
    if (events.some((event) => event.target !== shownText())) cached = undefined;
  };
  const onCode = () => {
    if (shownText() !== code) cached = undefined;
  };
  filesMap(doc).observeDeep(onFiles);
  code.observe(onCode);
  return {
    chars() {
      const text = shownText();
      if (cached === undefined || cachedFor !== text) {
        cached = filesTextLength(doc) - text.length;
        cachedFor = text;
      }
      return cached;
    },
    destroy() {
      filesMap(doc).unobserveDeep(onFiles);
      code.unobserve(onCode);
    },
  };
}
