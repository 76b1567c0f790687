import type * as Y from 'yjs';
import { CloseReason, type Language } from '../../shared/protocol.ts';
import type { Room } from '../../shared/schemas/room.schema.ts';
import { ApiError, type ApiClient } from '../api.ts';
import { h, replaceChildren } from '../dom.ts';
import { createEditor } from '../editor/create-editor.ts';
import { LANGUAGE_LABELS } from '../editor/language-names.ts';
import { readAutocompleteSetting, saveAutocompleteSetting } from '../editor/autocomplete-setting.ts';
import { DEFAULT_LIMITS, fetchLimits, sizeLimit } from '../editor/size-limit.ts';
import { createAutocompleteToggle, createShortcutHint } from '../editor/shortcut-hint.ts';
import { isApplePlatform } from '../editor/shortcuts.ts';
import { createSuggestionClient } from '../editor/suggestion-client.ts';
import { loadEditorSettings, saveEditorSettings } from '../editor/editor-settings.ts';
import { attachEditorSettings } from '../editor/settings-extensions.ts';
import { forgetRoom, rememberRoom } from '../lobby/recent-rooms.ts';
import { trackPresence } from '../presence/awareness-users.ts';
import { createPresenceBar } from '../presence/presence-bar.ts';
import { createFollowMode, type FollowMode } from '../presence/follow-mode.ts';
import { collabUrl, roomPath, viewPath } from '../routes.ts';
import type { KeyValueStore } from '../storage.ts';
import type { ThemeController } from '../theme.ts';
import { showToast } from '../toasts.ts';
import { openCollabSession } from './collab-session.ts';
import { mountRunPanel } from '../run/mount.ts';
import { createConnectionStatus } from './connection-status.ts';
import { createReconnectBanner } from './reconnect-banner.ts';
import { renderNotFoundPage, renderRefusedPage } from './not-found.page.ts';
import { loadOrAskIdentity, publishRoomIdentity } from './room-identity.ts';
import { installSaveShortcut } from './save-shortcut.ts';
import { installViewSearch } from './view-search.ts';
import { createSettingsMenu } from './settings-menu.ts';
import { createRoomHeader } from './room-header.ts';
import { createCopyLinkButton } from './share.ts';
import { createUndoManager } from '../editor/undo-steps.ts';
import { createDownloadButton } from '../files/download-button.ts';
import { createFileWorkspace } from '../files/file-workspace.ts';
import { createChatPanel } from '../chat/chat-panel.ts';
import { trackOtherFilesLength } from '../files/other-files-length.ts';
import { createSafeStore } from '../storage.ts';
import { createBlameController } from '../history/blame-controller.ts';
import { createHistoryApi } from '../history/history-api.ts';
import { mountHistoryButton } from '../history/mount.ts';
import { editorTheme } from '../editor/themes.ts';
import { readFileTree } from '../../shared/room-files.ts';
import { takeOwnerKey } from '../owner/owner-key.ts';
import { mountOwnerMenu } from '../owner/mount.ts';
import { META_LOCKED } from '../../shared/protocol.ts';

/** What the room page needs from the entry point. */
export interface RoomPageDeps {
  api: ApiClient;
  store: KeyValueStore;
  theme: ThemeController;
  themeToggle: HTMLElement;
}

/** Which room to open: `/r/:roomId` edits, `/v/:viewId` only watches. */
export type RoomTarget = { mode: 'edit'; roomId: string } | { mode: 'view'; viewId: string };

// Joins and leaves right after (re)connecting are the existing crowd
// arriving in our awareness, not news.
const ANNOUNCE_AFTER_SYNC_MS = 1500;

/**
 * The nonce the server put in `<meta name="csp-nonce">` for this page, if
 * any: CodeMirror needs it for its `<style>` element under a strict
 * `style-src`. (A nonce attribute on the meta itself would be hidden.)
 */
function readCspNonce(): string | undefined {
  return document.querySelector('meta[name="csp-nonce"]')?.getAttribute('content') || undefined;
}

/** The editor page: the shared editor, presence, connection status, share and export. */
export async function renderRoomPage(root: HTMLElement, target: RoomTarget, deps: RoomPageDeps): Promise<void> {
  const documentName = target.mode === 'edit' ? target.roomId : target.viewId;

  let room: Room | undefined;
  try {
    room = await deps.api.getRoom(documentName);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'room_not_found') {
      forgetRoom(deps.store, documentName);
      renderNotFoundPage(root, deps.api);
      return;
    }
    // Server unreachable or odd: open the editor anyway; the provider
    // reconnects and the status pill says what is going on.
  }
  // Asked after the room is known to exist: nobody names themselves for a dead link.
  // A view id pasted into an /r/ link still only watches: the server decides.
  const readOnly = target.mode === 'view' || room?.access === 'view';
  const editRoomId = readOnly ? undefined : (room?.roomId ?? documentName);
  // The creator's browser holds the owner key (from `#owner=`, or kept since); it is the socket's token too.
  // Taken before the name dialog: the key leaves the address bar at once.
  const ownerKey = editRoomId ? takeOwnerKey(deps.store, editRoomId, location, history) : undefined;
  const chosen = await loadOrAskIdentity({ root, store: deps.store, readOnly, title: room?.title ?? '' });

  const cleanups: (() => void)[] = [];
  let limits = DEFAULT_LIMITS;
  void fetchLimits().then((answer) => (limits = answer));
  const session = openCollabSession({
    url: collabUrl(location.href),
    name: documentName,
    token: ownerKey,
    onRefused(reason) {
      for (const cleanup of cleanups.splice(0).reverse()) cleanup();
      if (reason === CloseReason.roomNotFound) {
        forgetRoom(deps.store, documentName);
        renderNotFoundPage(root, deps.api);
      } else {
        renderRefusedPage(root, reason);
      }
    },
    onClosedForGood(detail) {
      status.fail(detail);
      showToast(`${detail}. Reload the page to reconnect.`, 'error');
    },
  });
  cleanups.push(() => session.destroy());
  const presence = trackPresence(session.awareness);
  cleanups.push(() => presence.destroy());
  const me = publishRoomIdentity({ store: deps.store, readOnly, awareness: session.awareness, presence, chosen });

  const currentLanguage = (): Language => session.language(room?.language ?? 'plaintext');
  const currentTitle = (): string => session.title(room?.title ?? '');

  const presenceBar = createPresenceBar();
  const setAnnouncing = (announce: boolean) => {
    presence.setAnnouncing(announce);
    presenceBar.element.dataset.announcing = String(announce);
  };
  let announceTimer: ReturnType<typeof setTimeout> | undefined;
  cleanups.push(() => clearTimeout(announceTimer));
  const reconnectBanner = createReconnectBanner(() => session.reconnectNow());
  const status = createConnectionStatus(session.provider, (view) => {
    reconnectBanner.show(view);
    if (view.state !== 'connected') {
      clearTimeout(announceTimer);
      announceTimer = undefined;
      setAnnouncing(false);
    } else if (announceTimer === undefined) {
      me.chooseRoomColor();
      announceTimer = setTimeout(() => setAnnouncing(true), ANNOUNCE_AFTER_SYNC_MS);
    }
  });
  cleanups.push(() => status.destroy());
  // Ctrl+S: no "Save page as" dialog; say whether everything is stored.
  cleanups.push(installSaveShortcut(() => status.current, showToast));

  const historyApi = createHistoryApi();
  const historyButton = mountHistoryButton({
    api: historyApi,
    roomId: documentName,
    editRoomId,
    currentFiles: () => new Map(readFileTree(session.doc).files.map((file) => [file.path, file.text.toString()])),
    shownPath: () => workspace.shownFile().path,
    theme: () => editorTheme(deps.theme.current),
    blame: () => blame,
    notify: (message, kind) => showToast(message, kind),
    me: () => ({ name: me.name(), color: me.color() }),
  });
  cleanups.push(() => historyButton.destroy());
  // Viewers read and write too (the server lets a view link append chat and nothing else).
  const chat = createChatPanel({
    doc: session.doc,
    author: () => ({ name: me.anonymous() ? 'Someone watching' : me.name(), color: me.color() }),
    isSynced: () => session.provider.isSynced,
  });
  cleanups.push(() => chat.destroy());
  // A locked room (`meta.locked`) takes chat from its owner only (`mayChat` on the server):
  // this browser is the owner when it holds the owner key.
  const isRoomOwner = (): boolean => ownerKey !== undefined;
  const syncChatPermission = () => {
    const locked = session.meta.get(META_LOCKED) === true;
    chat.setCanSend(!locked || isRoomOwner(), 'The room is locked: only its owner can write in the chat');
  };
  session.meta.observe(syncChatPermission);
  cleanups.push(() => session.meta.unobserve(syncChatPermission));
  syncChatPermission();

  const absolute = (path: string) => new URL(path, location.origin).href;
  const viewId = room?.viewId ?? (target.mode === 'view' ? target.viewId : undefined);
  const header = createRoomHeader({
    readOnly,
    // The menu shows and sets the language of the file shown (the entry's is the room's).
    onLanguage: (language) => workspace.setShownLanguage(language),
    onTitle: (title) => session.setTitle(title),
    onDone: () => editor.view.focus(),
    nameButton: me.nameButton,
    tools: [
      status.element,
      chat.toggle,
      editRoomId ? createCopyLinkButton({ kind: 'edit', link: () => absolute(roomPath(editRoomId)) }) : null,
      viewId ? createCopyLinkButton({ kind: 'view', link: () => absolute(viewPath(viewId)) }) : null,
      historyButton.button,
      createDownloadButton({ doc: session.doc, archiveUrl: deps.api.roomArchiveUrl(documentName), title: currentTitle, language: currentLanguage }),
      ownerKey && editRoomId
        ? mountOwnerMenu({ store: deps.store, editRoomId, ownerKey, meta: session.meta, peers: () => presence.peers, notify: (message, kind) => showToast(message, kind) })
        : null,
      createSettingsMenu(loadEditorSettings(deps.store), (settings) => {
        saveEditorSettings(deps.store, settings);
        void editorSettings.apply(settings);
      }),
      deps.themeToggle,
    ],
  });

  let follow: FollowMode | undefined;
  presenceBar.render(presence.peers);
  cleanups.push(
    presence.subscribe((peers, change) => {
      presenceBar.render(peers);
      workspace.decoratePresence();
      follow?.decorate();
      for (const peer of change.joined) showToast(`${peer.name} joined`, 'join');
      for (const peer of change.left) showToast(`${peer.name} left`, 'leave');
    }),
  );

  const editorHost = h('div', { class: 'editor-host' });
  const isMac = isApplePlatform(navigator.platform || navigator.userAgent);
  const suggestWhileTyping = readAutocompleteSetting(deps.store, location.search);
  const autocompleteToggle = readOnly
    ? undefined
    : createAutocompleteToggle(suggestWhileTyping, (on) => {
        saveAutocompleteSetting(deps.store, on);
        editor.setSuggestWhileTyping(on);
      });
  const hint = createShortcutHint(isMac, autocompleteToggle, { readOnly });
  const entryUndoManager = createUndoManager(session.ytext);
  const otherFiles = trackOtherFilesLength(session.doc, () => editor.ytext);
  cleanups.push(() => otherFiles.destroy());
  const runPanel = mountRunPanel({ roomId: documentName, editRoomId, provider: session.provider, userName: () => me.name(), keyTarget: root });
  cleanups.push(() => runPanel.destroy());

  const editor = createEditor({
    parent: editorHost,
    ytext: session.ytext,
    undoManager: entryUndoManager,
    awareness: session.awareness,
    theme: deps.theme.current,
    readOnly,
    label: 'Code editor',
    cspNonce: readCspNonce(),
    suggestWhileTyping,
    // Never send a change the server must refuse for its size (every file counts).
    extensions: sizeLimit({
      limits: () => limits,
      extraChars: () => otherFiles.chars() + currentTitle().length + currentLanguage().length,
      onRefused: (message) => showToast(message, 'error'),
    }),
    suggestions: readOnly
      ? undefined
      : createSuggestionClient({ api: deps.api, roomId: documentName, language: () => workspace.shownFile().language }),
  });
  cleanups.push(() => {
    editor.destroy();
    entryUndoManager.destroy();
  });
  const blame = createBlameController({
    api: historyApi,
    roomId: documentName,
    editor,
    shownPath: () => workspace.shownFile().path,
    notify: (message) => showToast(message, 'error'),
  });
  // Font size, tabs, wrap and key bindings of this browser (editor/editor-settings.ts).
  const editorSettings = attachEditorSettings(editor, loadEditorSettings(deps.store));
  if (readOnly) cleanups.push(installViewSearch(editor.view));
  const workspace = createFileWorkspace({
    doc: session.doc,
    awareness: session.awareness,
    editor,
    entryUndoManager,
    readOnly,
    tabStore: createSafeStore(() => window.sessionStorage),
    roomKey: documentName,
    isSynced: () => session.provider.isSynced,
    presenceBar: presenceBar.element,
    onShownFileChange: (file) => {
      header.show({ language: file.language, title: currentTitle() });
      editorHost.dataset.fileId = file.id;
    },
  });
  cleanups.push(() => workspace.destroy());
  // Click a person in the presence bar to follow them (across files); the chat does not stop it.
  follow = createFollowMode({
    awareness: session.awareness,
    editor,
    openFile: (fileId) => workspace.openFile(fileId),
    shownFileId: () => workspace.shownFile().id,
    presenceBar: presenceBar.element,
    selfKey: me.browserId,
    keepFollowingIn: () => [chat.element, chat.toggle],
    notify: (message) => showToast(message, 'info'),
  });
  cleanups.push(() => follow?.destroy());
  session.provider.on('synced', () => workspace.refresh());
  replaceChildren(
    root,
    h(
      'div',
      { class: 'room-page' },
      header.element,
      reconnectBanner.element,
      presenceBar.element,
      h('main', { class: 'editor-main files-layout' }, workspace.sidebar, h('div', { class: 'editor-column' }, workspace.tabBar, h('div', { class: 'editor-frame' }, editorHost)), chat.element),
      runPanel.element,
      hint,
    ),
  );
  cleanups.push(deps.theme.subscribe((theme) => editor.setTheme(theme)));

  // Language and title live in the shared `meta` map: a change in any tab shows in every tab.
  let shownLanguage: Language | undefined;
  // The owner's lock (`meta.locked`): everyone sees it; only the owner keeps editing.
  const lockBadge = h('span', { class: 'badge badge-locked', title: 'The room\'s owner locked it: only the owner can edit', hidden: true }, 'Locked');
  header.element.querySelector('.room-title')?.after(lockBadge);
  if (ownerKey) header.element.querySelector('.room-title')?.after(h('span', { class: 'badge badge-owner', title: 'You own this room' }, 'Owner'));
  const syncMeta = (event?: Y.YMapEvent<unknown>) => {
    const locked = session.meta.get(META_LOCKED) === true;
    lockBadge.hidden = !locked;
    if (!readOnly && !ownerKey) editor.setLocked(locked);
    const language = currentLanguage();
    const title = currentTitle();
    header.show({ language: workspace.shownFile().language, title });
    if (language !== shownLanguage) {
      if (shownLanguage !== undefined && event && !event.transaction.local) showToast(`Language switched to ${LANGUAGE_LABELS[language]}`);
      shownLanguage = language;
    }
    document.title = `${title || 'Untitled room'} · Pairpad`;
    if (editRoomId) rememberRoom(deps.store, { roomId: editRoomId, title, language }, Date.now());
  };
  session.meta.observe(syncMeta);
  cleanups.push(() => session.meta.unobserve(syncMeta));
  syncMeta();

  // Leaving with edits the server has not confirmed would lose them.
  const beforeUnload = (event: BeforeUnloadEvent) => {
    if (session.provider.hasUnsyncedChanges && status.current.state !== 'connected') event.preventDefault();
  };
  window.addEventListener('beforeunload', beforeUnload);
  cleanups.push(() => window.removeEventListener('beforeunload', beforeUnload));

  if (!readOnly) editor.view.focus();
}
