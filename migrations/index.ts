import type { Migration } from 'kysely';
import * as createRooms from './2026_11_22_000000_create_rooms.ts';
import * as addRoomViewId from './2026_11_22_010000_add_room_view_id.ts';
import * as createRoomFiles from './2026_12_05_000000_create_room_files.ts';
import * as createRuns from './2026_12_05_010000_create_runs.ts';
import * as createClientKeys from './2026_12_05_020000_create_client_keys.ts';
import * as createHistory from './2026_12_05_030000_create_history.ts';
import * as addRoomOwner from './2026_12_06_000000_add_room_owner.ts';
import * as createRunOutput from './2026_12_06_010000_create_run_output.ts';

/**
 * Every migration, by name; names sort in the order they run. Listed here
 * rather than discovered on disk so that the same code runs under tsx,
 * vitest and the compiled build. A unit test checks none is forgotten.
 */
export const migrations: Record<string, Migration> = {
  '2026_11_22_000000_create_rooms': createRooms,
  '2026_11_22_010000_add_room_view_id': addRoomViewId,
  '2026_12_05_000000_create_room_files': createRoomFiles,
  '2026_12_05_010000_create_runs': createRuns,
  '2026_12_05_020000_create_client_keys': createClientKeys,
  '2026_12_05_030000_create_history': createHistory,
  '2026_12_06_000000_add_room_owner': addRoomOwner,
  '2026_12_06_010000_create_run_output': createRunOutput,
};
