import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';

// Frozen in time; imports nothing from server/. Adds the read-only view id
// that `/v/:viewId` links carry, and gives every existing room one.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('rooms').addColumn('view_id', 'varchar(64)').execute();
  const rooms = await db.selectFrom('rooms').select('id').execute();
  for (const room of rooms) {
    await db.updateTable('rooms').set({ view_id: randomBytes(16).toString('base64url') }).where('id', '=', room.id).execute();
  }
  await db.schema.createIndex('rooms_view_id').on('rooms').column('view_id').unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('rooms_view_id').execute();
  await db.schema.alterTable('rooms').dropColumn('view_id').execute();
}
