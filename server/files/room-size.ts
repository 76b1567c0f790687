import type { NewRoomFiles } from '../../shared/room-files.ts';

/**
 * The size a room created from `seed` will have, as `MAX_DOCUMENT_BYTES`
 * counts it (the socket guard's `measureRoom`, `server/collab/room-size.ts`).
 */
export function measureNewRoom(seed: NewRoomFiles, title: string, language: string): number {
  let units = title.length + language.length;
  for (const file of seed.files) units += file.content.length + file.path.length + (file.path === seed.entry ? 0 : (file.language?.length ?? 0));
  for (const folder of seed.folders ?? []) units += folder.length;
  return 2 * units;
}
