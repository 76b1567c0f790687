import './zod-config.ts';
import { createApiClient } from './api.ts';
import { renderLobbyPage } from './lobby/lobby.page.ts';
import { renderNotFoundPage } from './room/not-found.page.ts';
import { renderRoomSkeleton } from './room/room-skeleton.ts';
import { parseRoute } from './routes.ts';
import { createSafeStore } from './storage.ts';
import { startTheme } from './theme.ts';
import { createThemeToggle } from './theme-toggle.ts';

// One HTML entry for every page; the server answers `/`, `/r/*` and `/v/*`
// with index.html and the page is chosen here from the path. The editor is
// a separate chunk, so the lobby never downloads CodeMirror or Yjs.
const root = document.getElementById('app');
if (!root) throw new Error('index.html has no #app element');

const store = createSafeStore(() => window.localStorage);
const theme = startTheme(store);
const api = createApiClient();
const themeToggle = createThemeToggle(theme);
const route = parseRoute(location.pathname);

switch (route.page) {
  case 'lobby':
    renderLobbyPage(root, { api, store, themeToggle });
    break;
  case 'room':
  case 'view': {
    // The editor's chunk and the room take a moment: show the room's outline meanwhile, not a blank page.
    renderRoomSkeleton(root);
    const { renderRoomPage } = await import('./room/room.page.ts');
    const target = route.page === 'room' ? { mode: 'edit' as const, roomId: route.roomId } : { mode: 'view' as const, viewId: route.viewId };
    await renderRoomPage(root, target, { api, store, theme, themeToggle });
    break;
  }
  case 'not-found':
    renderNotFoundPage(root, api, { what: 'This address is not a Pairpad room. Check the link, or start a new room.' });
    break;
  default:
    route satisfies never;
}
