import type { Kysely } from 'kysely';

// Frozen in time; imports nothing from server/. The client keys of a room
// (see "Client keys" in shared/protocol.ts): which key's hash a Yjs client
// id of a room is bound to. Deleted with the room.

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name === 'PostgresAdapter';
}

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = isPostgres(db);
  await db.schema
    .createTable('client_keys')
    .addColumn('room_id', 'varchar(64)', (col) => col.notNull().references('rooms.id').onDelete('cascade'))
    // Yjs client ids are unsigned varints: up to 2^53 as a decoder reads them.
    .addColumn('client_id', postgres ? 'bigint' : 'integer', (col) => col.notNull())
    // SHA-256 of the key, base64url (43 characters): the key itself is never stored.
    .addColumn('key_hash', 'varchar(64)', (col) => col.notNull())
    .addColumn('created_at', postgres ? 'timestamptz' : 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('client_keys_pkey', ['room_id', 'client_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('client_keys').execute();
}
