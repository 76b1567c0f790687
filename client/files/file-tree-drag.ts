import { parentFolders } from '../../shared/file-paths.ts';

const DRAG_TYPE = 'application/x-pairpad-path';

/**
 * Moving files and folders by drag and drop in the file tree: a row dropped
 * onto a folder (or a file in it) goes into that folder, onto the free space
 * of `panel` to the top level. The folder under the pointer is highlighted.
 */
export function installTreeDrag(options: {
  /** The whole panel: the drop zone. */
  panel: HTMLElement;
  /** The tree's list: drags start from its rows, and it stands for the top level. */
  list: HTMLElement;
  /** The row of a folder, by path. */
  itemOf(path: string): HTMLElement | undefined;
  /** A row was dropped: `folder` is '' for the top level. */
  onDrop(from: string, folder: string): void;
}): void {
  const { panel, list } = options;
  list.addEventListener('dragstart', (event) => {
    const item = (event.target as HTMLElement).closest<HTMLElement>('[role="treeitem"]');
    if (!item || !event.dataTransfer) return;
    event.dataTransfer.setData(DRAG_TYPE, item.dataset.path!);
    event.dataTransfer.effectAllowed = 'move';
  });
  const dropFolder = (event: DragEvent): string => {
    const item = (event.target as HTMLElement).closest<HTMLElement>('[role="treeitem"]');
    if (!item) return '';
    if (item.dataset.kind === 'folder') return item.dataset.path!;
    return parentFolders(item.dataset.path!).pop() ?? '';
  };
  let highlighted: HTMLElement | undefined;
  const highlight = (folder: string | undefined) => {
    highlighted?.classList.remove('file-drop-target');
    highlighted = folder === undefined ? undefined : folder === '' ? list : options.itemOf(folder);
    highlighted?.classList.add('file-drop-target');
  };
  panel.addEventListener('dragover', (event) => {
    if (!event.dataTransfer?.types.includes(DRAG_TYPE)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'move';
    highlight(dropFolder(event));
  });
  panel.addEventListener('dragleave', (event) => {
    if (!panel.contains(event.relatedTarget as Node | null)) highlight(undefined);
  });
  panel.addEventListener('drop', (event) => {
    const from = event.dataTransfer?.getData(DRAG_TYPE);
    highlight(undefined);
    if (!from) return;
    event.preventDefault();
    options.onDrop(from, dropFolder(event));
  });
}
