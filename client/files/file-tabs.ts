import { baseName } from '../../shared/file-paths.ts';
import { h, replaceChildren } from '../dom.ts';

/** One open file, as its tab shows it. */
export interface TabInfo {
  id: string;
  path: string;
  entry: boolean;
}

/** The tabs of open files above the editor. */
export interface FileTabs {
  element: HTMLElement;
  render(tabs: readonly TabInfo[], activeId: string): void;
}

/**
 * A tab list (WAI-ARIA tabs: arrows move between tabs, Enter shows one,
 * Delete closes it; one tab stop) with a close button per tab. `lead` is
 * put before the tabs (the button that shows the tree on phones).
 */
export function createFileTabs(options: { lead?: HTMLElement; onSelect(id: string): void; onClose(id: string): void }): FileTabs {
  const list = h('div', { class: 'file-tabs', role: 'tablist', 'aria-label': 'Open files' });
  const element = h('div', { class: 'file-tabs-bar' }, options.lead ?? null, list);
  list.addEventListener('click', (event) => {
    const target = event.target as HTMLElement;
    const tab = target.closest<HTMLElement>('[data-file-id]');
    if (!tab) return;
    if (target.closest('.file-tab-close')) options.onClose(tab.dataset.fileId!);
    else options.onSelect(tab.dataset.fileId!);
  });
  // Middle click closes, as in browsers and editors.
  list.addEventListener('auxclick', (event) => {
    const tab = (event.target as HTMLElement).closest<HTMLElement>('[data-file-id]');
    if (tab && event.button === 1) options.onClose(tab.dataset.fileId!);
  });
  list.addEventListener('keydown', (event) => {
    const tab = (event.target as HTMLElement).closest<HTMLElement>('[role="tab"]');
    if (!tab) return;
    const tabs = [...list.querySelectorAll<HTMLElement>('[role="tab"]')];
    const index = tabs.indexOf(tab);
    const move = (to: number) => tabs[(to + tabs.length) % tabs.length]?.focus();
    if (event.key === 'ArrowRight') move(index + 1);
    else if (event.key === 'ArrowLeft') move(index - 1);
    else if (event.key === 'Delete') options.onClose(tab.dataset.fileId!);
    else return;
    event.preventDefault();
  });
  return {
    element,
    render(tabs, activeId) {
      const hadFocus = list.contains(document.activeElement);
      replaceChildren(
        list,
        ...tabs.map((tab) => {
          const active = tab.id === activeId;
          const name = baseName(tab.path);
          return h(
            'div',
            { class: active ? 'file-tab file-tab-active' : 'file-tab', 'data-file-id': tab.id, title: tab.entry ? `${tab.path} (entry file)` : tab.path },
            h('button', { type: 'button', role: 'tab', class: 'file-tab-name', 'aria-selected': String(active), tabindex: active ? 0 : -1, 'data-file-id': tab.id }, name),
            h('button', { type: 'button', class: 'file-tab-close', tabindex: -1, 'aria-label': `Close ${name}`, title: `Close ${name}` }, '×'),
          );
        }),
      );
      if (hadFocus) list.querySelector<HTMLElement>('[aria-selected="true"]')?.focus();
      list.querySelector('.file-tab-active')?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    },
  };
}
