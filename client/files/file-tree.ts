import { baseName, parentFolders } from '../../shared/file-paths.ts';
import type { FileTree } from '../../shared/room-files.ts';
import { h, reconcileChildren, replaceChildren } from '../dom.ts';
import { installTreeDrag } from './file-tree-drag.ts';
import { createTreeEditForm, type TreeEdit } from './file-tree-edit.ts';
import { installTreeKeys } from './file-tree-keys.ts';
import { icon } from '../icons.ts';
import type { Peer } from '../presence/peers.ts';

/**
 * What the tree asks of the room. Each change returns the message to show
 * when it was refused (invalid path, path taken…), or undefined when done.
 */
export interface FileTreeActions {
  /** Shows a file (click, Enter). */
  open(fileId: string): void;
  createFile(path: string): string | undefined;
  createFolder(path: string): string | undefined;
  move(from: string, to: string): string | undefined;
  /** Deletes a file or folder after asking; resolves with a refusal message, if any. */
  remove(path: string, kind: 'file' | 'folder'): Promise<string | undefined>;
}

/** The file tree beside the editor. */
export interface FileTreeView {
  element: HTMLElement;
  /** Draws the files and folders; the file `activeId` is marked as the one shown. */
  render(tree: FileTree, activeId: string): void;
  /** Who is in which file (file id → people, this tab left out): dots on the file rows. */
  setPeers(byFile: ReadonlyMap<string, readonly Peer[]>): void;
  /** Opens the form to create a file, in `folder` when given. */
  startCreate(kind: 'file' | 'folder', folder?: string): void;
}

/** Why the entry file's delete action is off (shown as its tooltip and when tried). */
export const ENTRY_DELETE_REASON = 'The entry file cannot be deleted: it is the program the room runs. Rename or move it instead.';

/**
 * A keyboard-accessible tree (WAI-ARIA tree pattern: arrows move, Right
 * and Left open and close folders, Enter opens, F2 renames, Delete
 * deletes, one tab stop) with a form above it to create and rename, whose
 * errors show beside the field. Files move by drag and drop onto a folder
 * (or the empty space, for the top level) or by renaming with a path.
 * Folders come before files, each in path order. Read-only: no actions.
 */
export function createFileTree(options: { readOnly: boolean; actions: FileTreeActions }): FileTreeView {
  const { readOnly, actions } = options;
  const collapsed = new Set<string>();
  const fileRows = new Map<string, HTMLElement>();
  let tree: FileTree = { entry: '', files: [], folders: [] };
  let activeId = '';
  let focusedPath: string | undefined;
  /** The structure last drawn (see `render`). */
  let drawn: string | undefined;

  const list = h('ul', { class: 'file-tree', role: 'tree', 'aria-label': 'Files' });
  const treeError = h('p', { class: 'file-tree-error', role: 'alert', hidden: true });
  const newFile = h('button', { type: 'button', class: 'icon-button new-file', title: 'New file', 'aria-label': 'New file' }, icon('file-plus'));
  const newFolder = h('button', { type: 'button', class: 'icon-button new-folder', title: 'New folder', 'aria-label': 'New folder' }, icon('folder-plus'));
  const head = h(
    'div',
    { class: 'file-panel-head' },
    h('span', { class: 'file-panel-title' }, 'Files'),
    readOnly ? null : h('span', { class: 'file-panel-actions' }, newFile, newFolder),
  );
  // The form to create and rename (file-tree-edit.ts).
  const editForm = createTreeEditForm({
    actions,
    onStart: () => showTreeError(undefined),
    onChanged: (path) => (focusedPath = path),
    returnFocus: () => focusItem(focusedPath),
  });
  const startEdit = (edit: TreeEdit, initial: string) => {
    if (!readOnly) editForm.start(edit, initial);
  };
  const element = h('nav', { class: 'file-panel', 'aria-label': 'Files of this room' }, head, editForm.element, treeError, list);

  const showTreeError = (message: string | undefined) => {
    treeError.textContent = message ?? '';
    treeError.hidden = message === undefined;
  };

  newFile.addEventListener('click', () => view.startCreate('file', selectedFolder()));
  newFolder.addEventListener('click', () => view.startCreate('folder', selectedFolder()));

  /** The folder the focused item is in (or is): where "New file" puts the file. */
  const selectedFolder = (): string | undefined => {
    if (focusedPath === undefined) return undefined;
    if (tree.folders.includes(focusedPath)) return focusedPath;
    return parentFolders(focusedPath).pop();
  };

  // ── deleting ───────────────────────────────────────────────────────────
  const requestDelete = async (path: string, kind: 'file' | 'folder') => {
    showTreeError(undefined);
    if (holdsEntry(path)) {
      showTreeError(ENTRY_DELETE_REASON);
      return;
    }
    showTreeError(await actions.remove(path, kind));
  };
  const holdsEntry = (path: string) => tree.entry === path || tree.entry.startsWith(`${path}/`);

  // ── row actions: one pair of buttons, moved to the row under the pointer or focused ──
  // (Two buttons with icons on each of 200 rows doubled the cost of drawing the tree.)
  const renameButton = h('button', { type: 'button', class: 'icon-button file-rename', tabindex: -1 }, icon('pencil'));
  const deleteButton = h('button', { type: 'button', class: 'icon-button file-delete', tabindex: -1 }, icon('trash'));
  const rowActions = h('span', { class: 'file-actions' }, renameButton, deleteButton);
  let actionsPath: string | undefined;
  const placeActions = (item: HTMLElement | null | undefined) => {
    if (readOnly || !item || item.dataset.path === undefined) return;
    const path = item.dataset.path;
    const row = item.querySelector(':scope > .file-row');
    if (!row || (actionsPath === path && rowActions.parentElement === row)) return;
    actionsPath = path;
    const blocked = holdsEntry(path);
    renameButton.title = `Rename or move ${path}`;
    renameButton.setAttribute('aria-label', `Rename ${path}`);
    deleteButton.title = blocked ? ENTRY_DELETE_REASON : `Delete ${path}`;
    deleteButton.setAttribute('aria-label', `Delete ${path}`);
    if (blocked) deleteButton.setAttribute('aria-disabled', 'true');
    else deleteButton.removeAttribute('aria-disabled');
    row.append(rowActions);
  };
  const actionTarget = () => {
    const item = itemOf(actionsPath);
    return item ? { path: actionsPath!, kind: item.dataset.kind === 'folder' ? ('folder' as const) : ('file' as const) } : undefined;
  };
  renameButton.addEventListener('click', (event) => {
    event.stopPropagation();
    const target = actionTarget();
    if (!target) return;
    focusedPath = target.path;
    startEdit({ kind: 'rename', path: target.path, isFolder: target.kind === 'folder' }, target.path);
  });
  deleteButton.addEventListener('click', (event) => {
    event.stopPropagation();
    const target = actionTarget();
    if (target) void requestDelete(target.path, target.kind);
  });
  list.addEventListener('mouseover', (event) => placeActions((event.target as HTMLElement).closest<HTMLElement>('[role="treeitem"]')));
  list.addEventListener('focusin', (event) => placeActions((event.target as HTMLElement).closest<HTMLElement>('[role="treeitem"]')));

  // ── drawing ────────────────────────────────────────────────────────────
  // Rows of the last drawing, by what they show: a redraw reuses every row
  // that did not change (building 200 rows anew cost ~100 ms on a busy machine).
  let rowCache = new Map<string, HTMLElement>();
  let nextRowCache = new Map<string, HTMLElement>();
  const row = (path: string, kind: 'file' | 'folder', depth: number, fileId?: string, entry = false): HTMLElement => {
    const key = `${kind}\n${path}\n${fileId ?? ''}\n${entry}\n${depth}`;
    const cached = rowCache.get(key);
    if (cached) {
      cached.setAttribute('tabindex', '-1');
      if (kind === 'file') cached.setAttribute('aria-selected', String(fileId === activeId));
      else cached.setAttribute('aria-expanded', String(!collapsed.has(path)));
      nextRowCache.set(key, cached);
      if (fileId) fileRows.set(fileId, cached);
      return cached;
    }
    // The whole path in the tooltip: a long name ends in an ellipsis (files.css).
    const name = h('span', { class: 'file-name', title: path }, baseName(path));
    const parts: (HTMLElement | null)[] = [
      h('span', { class: kind === 'folder' ? 'file-icon file-icon-folder' : 'file-icon', 'aria-hidden': 'true' }),
      name,
      entry ? h('span', { class: 'file-entry-badge', title: 'The entry file: the program the room runs' }, 'entry') : null,
      kind === 'file' ? h('span', { class: 'file-peers' }) : null,
    ];
    const div = h('div', { class: 'file-row' }, ...parts);
    div.style.setProperty('--depth', String(depth));
    const item = h('li', {
      role: 'treeitem',
      class: kind === 'folder' ? 'file-item file-folder' : 'file-item file-file',
      'data-path': path,
      'data-kind': kind,
      'data-file-id': fileId,
      'data-entry': entry ? 'true' : undefined,
      'aria-selected': kind === 'file' ? String(fileId === activeId) : undefined,
      'aria-expanded': kind === 'folder' ? String(!collapsed.has(path)) : undefined,
      tabindex: -1,
      draggable: readOnly ? undefined : 'true',
    }, div);
    if (fileId) fileRows.set(fileId, item);
    nextRowCache.set(key, item);
    return item;
  };

  const draw = () => {
    // Before rows move: moving the focused one blurs it.
    const hadFocus = list.contains(document.activeElement);
    fileRows.clear();
    nextRowCache = new Map();
    // Children of each folder ('' is the top level): folders first, then files.
    const folderChildren = new Map<string, string[]>();
    const fileChildren = new Map<string, FileTree['files']>();
    for (const folder of tree.folders) {
      const parent = parentFolders(folder).pop() ?? '';
      (folderChildren.get(parent) ?? folderChildren.set(parent, []).get(parent)!).push(folder);
    }
    for (const file of tree.files) {
      const parent = parentFolders(file.path).pop() ?? '';
      (fileChildren.get(parent) ?? fileChildren.set(parent, []).get(parent)!).push(file);
    }
    const build = (folder: string, depth: number): HTMLElement[] => {
      const items: HTMLElement[] = [];
      for (const child of folderChildren.get(folder) ?? []) {
        const item = row(child, 'folder', depth);
        // Always built, hidden when folded: opening a folder is then one attribute, not a redraw.
        let group = item.querySelector<HTMLElement>(':scope > [role="group"]');
        if (!group) item.append((group = h('ul', { role: 'group' })));
        group.hidden = collapsed.has(child);
        reconcileChildren(group, build(child, depth + 1));
        items.push(item);
      }
      for (const file of fileChildren.get(folder) ?? []) items.push(row(file.path, 'file', depth, file.id, file.entry));
      return items;
    };
    reconcileChildren(list, build('', 0));
    rowCache = nextRowCache;
    // One tab stop: the focused item, else the file shown.
    const target = itemOf(focusedPath) ?? (fileRows.get(activeId) as HTMLElement | undefined) ?? visibleItems()[0];
    target?.setAttribute('tabindex', '0');
    if (hadFocus) target?.focus();
    actionsPath = undefined;
    placeActions(target);
    applyPeers();
  };

  const itemOf = (path: string | undefined): HTMLElement | undefined =>
    path === undefined ? undefined : ([...list.querySelectorAll<HTMLElement>('[role="treeitem"]')].find((item) => item.dataset.path === path));
  const visibleItems = () => [...list.querySelectorAll<HTMLElement>('[role="treeitem"]')].filter((item) => item.parentElement?.closest('[role="group"][hidden]') == null);
  const focusItem = (path: string | undefined) => {
    const item = itemOf(path) ?? (fileRows.get(activeId) as HTMLElement | undefined);
    if (!item) return;
    for (const other of list.querySelectorAll('[tabindex="0"]')) other.setAttribute('tabindex', '-1');
    item.setAttribute('tabindex', '0');
    item.focus();
    focusedPath = item.dataset.path;
  };

  let peersByFile: ReadonlyMap<string, readonly Peer[]> = new Map();
  // What each row shows now: only rows whose people changed are touched.
  const shownPeers = new WeakMap<HTMLElement, string>();
  const applyPeers = () => {
    for (const [id, item] of fileRows) {
      const peers = peersByFile.get(id) ?? [];
      const signature = peers.map((peer) => `${peer.clientId}:${peer.name}:${peer.color}`).join('\n');
      if ((shownPeers.get(item) ?? '') === signature) continue;
      shownPeers.set(item, signature);
      const slot = item.querySelector('.file-peers');
      if (!slot) continue;
      replaceChildren(
        slot,
        ...peers.map((peer) => {
          const dot = h('span', { class: 'file-peer', title: `${peer.name} is here`, 'data-client-id': peer.clientId }, peer.name.slice(0, 1).toUpperCase());
          dot.style.backgroundColor = peer.color;
          return dot;
        }),
      );
      if (peers.length) slot.setAttribute('aria-label', `Here: ${peers.map((peer) => peer.name).join(', ')}`);
      else slot.removeAttribute('aria-label');
    }
  };

  // ── pointer and keyboard ───────────────────────────────────────────────
  const activate = (item: HTMLElement) => {
    focusedPath = item.dataset.path;
    if (item.dataset.kind === 'folder') toggle(item.dataset.path!);
    else if (item.dataset.fileId) actions.open(item.dataset.fileId);
  };
  const toggle = (path: string, open?: boolean) => {
    const isOpen = !collapsed.has(path);
    if (open === isOpen) return;
    if (isOpen) collapsed.add(path);
    else collapsed.delete(path);
    focusedPath = path;
    const item = itemOf(path);
    item?.setAttribute('aria-expanded', String(!isOpen));
    const group = item?.querySelector(':scope > [role="group"]');
    if (group) (group as HTMLElement).hidden = isOpen;
  };
  list.addEventListener('click', (event) => {
    const item = (event.target as HTMLElement).closest<HTMLElement>('[role="treeitem"]');
    if (!item || !list.contains(item)) return;
    // A refusal shown earlier is about an earlier action.
    showTreeError(undefined);
    focusItem(item.dataset.path);
    activate(item);
    // (focusItem focused it; a folder toggles in place, a file opens in the editor.)
  });
  installTreeKeys(list, {
    visibleItems,
    focusItem,
    isCollapsed: (path) => collapsed.has(path),
    toggle,
    activate,
    ...(readOnly
      ? {}
      : {
          rename: (path, isFolder) => startEdit({ kind: 'rename', path, isFolder }, path),
          remove: (path, isFolder) => void requestDelete(path, isFolder ? 'folder' : 'file'),
        }),
  });

  if (!readOnly) {
    installTreeDrag({
      panel: element,
      list,
      itemOf,
      onDrop(from, folder) {
        const to = folder === '' ? baseName(from) : `${folder}/${baseName(from)}`;
        if (to === from) return;
        collapsed.delete(folder);
        focusedPath = to;
        showTreeError(actions.move(from, to));
      },
    });
  }

  const view: FileTreeView = {
    element,
    render(next, active) {
      const signature = `${next.entry}\n${next.folders.join('\n')}\n${next.files.map((file) => `${file.id}:${file.path}`).join('\n')}`;
      tree = next;
      if (signature === drawn) {
        // Same files (a switch of file, a language change): only the selection moves.
        if (active !== activeId) {
          fileRows.get(activeId)?.setAttribute('aria-selected', 'false');
          fileRows.get(active)?.setAttribute('aria-selected', 'true');
          activeId = active;
          if (!list.contains(document.activeElement)) placeActions(fileRows.get(active));
        }
        return;
      }
      drawn = signature;
      activeId = active;
      if (focusedPath !== undefined && !tree.folders.includes(focusedPath) && !tree.files.some((file) => file.path === focusedPath)) focusedPath = undefined;
      draw();
    },
    setPeers(byFile) {
      peersByFile = byFile;
      applyPeers();
    },
    startCreate(kind, folder) {
      startEdit({ kind }, folder ? `${folder}/` : '');
    },
  };
  return view;
}
