import { parentFolders } from '../../shared/file-paths.ts';

/** What the keyboard of the file tree acts on. */
export interface TreeKeyTarget {
  /** The rows that are not inside a closed folder, in order. */
  visibleItems(): HTMLElement[];
  focusItem(path: string | undefined): void;
  isCollapsed(path: string): boolean;
  toggle(path: string, open: boolean): void;
  /** Opens a file, or opens or closes a folder. */
  activate(item: HTMLElement): void;
  /** F2 and Delete; absent when read-only. */
  rename?(path: string, isFolder: boolean): void;
  remove?(path: string, isFolder: boolean): void;
}

/**
 * The WAI-ARIA tree keys: Up and Down move, Home and End jump, Right opens
 * a folder (or steps into it), Left closes it (or goes to the parent),
 * Enter and Space activate, F2 renames, Delete deletes.
 */
export function installTreeKeys(list: HTMLElement, target: TreeKeyTarget): void {
  list.addEventListener('keydown', (event) => {
    const item = (event.target as HTMLElement).closest<HTMLElement>('[role="treeitem"]');
    if (!item) return;
    const items = target.visibleItems();
    const index = items.indexOf(item);
    const path = item.dataset.path!;
    const isFolder = item.dataset.kind === 'folder';
    let handled = true;
    switch (event.key) {
      case 'ArrowDown':
        target.focusItem(items[Math.min(items.length - 1, index + 1)]?.dataset.path);
        break;
      case 'ArrowUp':
        target.focusItem(items[Math.max(0, index - 1)]?.dataset.path);
        break;
      case 'Home':
        target.focusItem(items[0]?.dataset.path);
        break;
      case 'End':
        target.focusItem(items[items.length - 1]?.dataset.path);
        break;
      case 'ArrowRight':
        if (isFolder && target.isCollapsed(path)) target.toggle(path, true);
        else if (isFolder) target.focusItem(items[index + 1]?.dataset.path);
        break;
      case 'ArrowLeft':
        if (isFolder && !target.isCollapsed(path)) target.toggle(path, false);
        else target.focusItem(parentFolders(path).pop());
        break;
      case 'Enter':
      case ' ':
        target.activate(item);
        break;
      case 'F2':
        target.rename?.(path, isFolder);
        break;
      case 'Delete':
        target.remove?.(path, isFolder);
        break;
      default:
        handled = false;
    }
    if (handled) event.preventDefault();
  });
}
