import * as Y from 'yjs';
import { baseName, isWithin, normalizePath } from '../../shared/file-paths.ts';
import { ENTRY_FILE_ID, META_LANGUAGE, META_MAP, type Language } from '../../shared/protocol.ts';
import {
  createFolder, deletePath, filesMap, foldersMap, movePath, readFileTree, setLanguage, writeFile, type FileTree, type RoomFile,
} from '../../shared/room-files.ts';
import { h } from '../dom.ts';
import type { EditorController } from '../editor/create-editor.ts';
import { createUndoManager } from '../editor/undo-steps.ts';
import type { KeyValueStore } from '../storage.ts';
import { showToast } from '../toasts.ts';
import { confirmAction } from './confirm-dialog.ts';
import { describeFileError } from './file-errors.ts';
import { trackFilePresence } from './file-presence.ts';
import { createFileTabs } from './file-tabs.ts';
import { createFileTree } from './file-tree.ts';
import { readOpenTabs, saveOpenTabs, type OpenTabs } from './open-tabs.ts';
import type { Awareness } from 'y-protocols/awareness';

/** Options of {@link createFileWorkspace}. */
export interface FileWorkspaceOptions {
  doc: Y.Doc;
  awareness: Awareness;
  /** The editor, created on the entry file's text with `entryUndoManager`. */
  editor: EditorController;
  entryUndoManager: Y.UndoManager;
  readOnly: boolean;
  /** Where the open tabs are remembered (`sessionStorage`: per browser tab). */
  tabStore: KeyValueStore;
  /** The room's document name (edit or view id), to key that memory. */
  roomKey: string;
  /** Whether the first sync is done: until then files not yet known are not forgotten from the tabs. */
  isSynced(): boolean;
  /** The presence bar, whose people get the name of the file each is in. */
  presenceBar: HTMLElement;
  /** The file shown changed, or its path or language. */
  onShownFileChange?(file: RoomFile): void;
}

/** The files of a room around the editor: tree, tabs, switching, per-file undo and presence. */
export interface FileWorkspace {
  /** The tree (beside the editor). */
  readonly sidebar: HTMLElement;
  /** The tab bar (above the editor), with the phone's "Files" toggle. */
  readonly tabBar: HTMLElement;
  /** The file the editor shows. */
  shownFile(): RoomFile;
  /**
   * Shows a file by id, opening a tab for it: the hook following another
   * person across files uses. False when no such file exists.
   */
  openFile(fileId: string): boolean;
  /** Sets the language of the file shown (the entry's is the room's). */
  setShownLanguage(language: Language): void;
  /** Reads the files again (after the first sync: remembered tabs of files not known before). */
  refresh(): void;
  /** Writes each person's file into the presence bar (call after it re-renders). */
  decoratePresence(): void;
  destroy(): void;
}

/**
 * Builds the file tree and tabs for a room and keeps the editor on the
 * file chosen. A switch keeps the one editor view and replaces only its
 * state (text, undo history, language); each file has its own
 * `Y.UndoManager`, kept while the page lives, so undo stays per person and
 * per file. The tree is redrawn when files or folders change, never when
 * text is typed.
 */
export function createFileWorkspace(options: FileWorkspaceOptions): FileWorkspace {
  const { doc, editor, readOnly } = options;
  const undoManagers = new Map<string, Y.UndoManager>([[ENTRY_FILE_ID, options.entryUndoManager]]);
  const presence = trackFilePresence(options.awareness);
  let tabs: OpenTabs = readOpenTabs(options.tabStore, options.roomKey);
  let tree: FileTree = readFileTree(doc);
  let byId = new Map(tree.files.map((file) => [file.id, file]));
  let shownId = ENTRY_FILE_ID;
  let shownLanguage: Language | undefined;

  const layoutToggle = h('button', { type: 'button', class: 'button files-toggle', 'aria-expanded': 'false', 'aria-controls': 'file-panel', title: 'Show the files' }, 'Files');
  const fileTabs = createFileTabs({
    lead: layoutToggle,
    onSelect: (id) => workspace.openFile(id),
    onClose: (id) => closeTab(id),
  });
  const fileTree = createFileTree({
    readOnly,
    actions: {
      open: (id) => {
        workspace.openFile(id);
        setPanelOpen(false);
        editor.view.focus();
      },
      createFile: (raw) =>
        attempt(() => {
          const path = normalizePath(raw);
          if (path !== null && (tree.files.some((file) => file.path === path) || tree.folders.includes(path))) {
            return `${path} already exists. Choose another name.`;
          }
          const id = writeFile(doc, raw, '');
          refresh();
          workspace.openFile(id);
          setPanelOpen(false);
          editor.view.focus();
          return undefined;
        }),
      createFolder: (raw) => attempt(() => createFolder(doc, raw)),
      move: (from, to) => attempt(() => movePath(doc, from, to)),
      remove: async (path, kind) => {
        const inside = tree.files.filter((file) => isWithin(file.path, path)).length;
        const confirmed = await confirmAction({
          title: `Delete ${kind === 'folder' ? 'the folder ' : ''}${path}?`,
          text:
            kind === 'folder'
              ? `It is deleted for everyone in the room, with the ${inside === 1 ? 'file' : `${inside} files`} in it. This cannot be undone.`
              : 'It is deleted for everyone in the room. This cannot be undone.',
          confirmLabel: 'Delete',
        });
        if (!confirmed) return undefined;
        return attempt(() => deletePath(doc, path));
      },
    },
  });
  fileTree.element.id = 'file-panel';

  const setPanelOpen = (open: boolean) => {
    fileTree.element.dataset.open = String(open);
    layoutToggle.setAttribute('aria-expanded', String(open));
  };
  setPanelOpen(false);
  layoutToggle.addEventListener('click', () => setPanelOpen(layoutToggle.getAttribute('aria-expanded') !== 'true'));

  /** Runs a change to the files; returns what to tell the person if it was refused. */
  function attempt(change: () => string | undefined | void): string | undefined {
    try {
      return change() ?? undefined;
    } catch (error) {
      return describeFileError(error);
    }
  }

  const undoManagerOf = (file: RoomFile): Y.UndoManager => {
    let manager = undoManagers.get(file.id);
    if (!manager) {
      manager = createUndoManager(file.text);
      undoManagers.set(file.id, manager);
    }
    return manager;
  };

  let notified = '';
  const show = (file: RoomFile) => {
    if (editor.ytext !== file.text) {
      editor.showText(file.text, undoManagerOf(file), file.language);
      shownLanguage = file.language;
    } else if (file.language !== shownLanguage) {
      shownLanguage = file.language;
      void editor.setLanguage(file.language);
    }
    shownId = file.id;
    presence.setOwnFile(file.id);
    const signature = `${file.id}\n${file.path}\n${file.language}`;
    if (signature !== notified) {
      notified = signature;
      options.onShownFileChange?.(file);
    }
  };

  const saveTabs = () => saveOpenTabs(options.tabStore, options.roomKey, tabs);

  const closeTab = (id: string) => {
    const index = tabs.open.indexOf(id);
    if (index === -1) return;
    const open = tabs.open.filter((other) => other !== id);
    if (open.length === 0) open.push(ENTRY_FILE_ID);
    const active = tabs.active === id ? (open[Math.min(index, open.length - 1)] ?? ENTRY_FILE_ID) : tabs.active;
    tabs = { open, active };
    saveTabs();
    refresh();
  };

  /** Reads the tree again and puts tabs, editor, tree and presence in line with it. */
  function refresh(): void {
    tree = readFileTree(doc);
    const previous = byId;
    byId = new Map(tree.files.map((file) => [file.id, file]));
    const synced = options.isSynced();
    const gone = (id: string) => !byId.has(id) && (synced || previous.has(id));
    if (previous.has(shownId) && !byId.has(shownId)) {
      showToast(`${baseName(previous.get(shownId)!.path)} was deleted`, 'info');
    }
    let open = tabs.open.filter((id) => !gone(id));
    if (open.length === 0) open = [ENTRY_FILE_ID];
    let active = tabs.active;
    if (gone(active)) active = open.find((id) => byId.has(id)) ?? ENTRY_FILE_ID;
    tabs = { open, active };
    for (const [id, manager] of undoManagers) {
      if (!byId.has(id) && previous.has(id)) {
        manager.destroy();
        undoManagers.delete(id);
      }
    }
    // Before the first sync a remembered file may not be known yet: show the entry meanwhile.
    const target = byId.get(active) ?? byId.get(ENTRY_FILE_ID)!;
    show(target);
    if (synced) saveTabs();
    fileTree.render(tree, target.id);
    fileTabs.render(tabs.open.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : [])), target.id);
    workspace.decoratePresence();
  }

  // Structure changes only: text typed in a file (a Y.Text event under `files`) is not one.
  let scheduled = false;
  const scheduleRefresh = () => {
    if (scheduled) return;
    scheduled = true;
    // After the transaction's observers: the editor is not switched from inside y-codemirror's own.
    queueMicrotask(() => {
      scheduled = false;
      refresh();
    });
  };
  const onFiles = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
    if (events.every((event) => event.target instanceof Y.Text)) return;
    scheduleRefresh();
  };
  const onMeta = (event: Y.YMapEvent<unknown>) => {
    // The entry's language is the room's: its default path and mode follow it.
    if (event.keysChanged.has(META_LANGUAGE)) scheduleRefresh();
  };
  filesMap(doc).observeDeep(onFiles);
  foldersMap(doc).observe(scheduleRefresh);
  doc.getMap(META_MAP).observe(onMeta);
  const unsubscribePresence = presence.subscribe(() => {
    fileTree.setPeers(presence.byFile);
    workspace.decoratePresence();
  });
  fileTree.setPeers(presence.byFile);

  const workspace: FileWorkspace = {
    sidebar: fileTree.element,
    tabBar: fileTabs.element,
    shownFile: () => byId.get(shownId) ?? byId.get(ENTRY_FILE_ID)!,
    refresh: scheduleRefresh,
    openFile(fileId) {
      if (!byId.has(fileId)) return false;
      if (!tabs.open.includes(fileId)) {
        // Next to the tab shown, as editors do.
        const at = tabs.open.indexOf(tabs.active) + 1;
        tabs.open.splice(at === 0 ? tabs.open.length : at, 0, fileId);
      }
      tabs = { open: tabs.open, active: fileId };
      saveTabs();
      refresh();
      return true;
    },
    setShownLanguage(language) {
      const file = workspace.shownFile();
      setLanguage(doc, file, language);
      scheduleRefresh();
    },
    decoratePresence() {
      for (const item of options.presenceBar.querySelectorAll<HTMLElement>('[data-client-id]')) {
        const fileId = presence.fileOf.get(Number(item.dataset.clientId));
        const path = fileId === undefined ? undefined : byId.get(fileId)?.path;
        let label = item.querySelector<HTMLElement>('.presence-file');
        if (path === undefined) {
          label?.remove();
          continue;
        }
        if (!label) {
          label = h('span', { class: 'presence-file' });
          item.append(label);
        }
        if (label.textContent !== baseName(path)) {
          label.textContent = baseName(path);
          label.title = `In ${path}`;
        }
        item.dataset.fileId = fileId;
      }
    },
    destroy() {
      filesMap(doc).unobserveDeep(onFiles);
      foldersMap(doc).unobserve(scheduleRefresh);
      doc.getMap(META_MAP).unobserve(onMeta);
      unsubscribePresence();
      presence.destroy();
      for (const [id, manager] of undoManagers) if (id !== ENTRY_FILE_ID) manager.destroy();
    },
  };
  refresh();
  return workspace;
}
