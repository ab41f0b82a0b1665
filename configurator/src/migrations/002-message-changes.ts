import type { Knex } from 'knex';

/**
 * Edits and deletes (protocol 1.1): when a message was last edited, when it
 * was deleted (its text is then ''), and the cursor of the change the row
 * shows, as one string that sorts like the id (16-digit ms, '-', 20-digit
 * seq), so a change is applied only over an older one. Nullable columns at
 * the end: hubs of the release before keep inserting rows unchanged while
 * this runs (a post-upgrade hook, after the new hubs are up: they read and
 * write without these columns until they exist). Each column is added only
 * when missing, so running it twice, or after a half-finished run, is fine.
 */
export const name = '002-message-changes';

const COLUMNS: [string, string][] = [
  ['edited_at', 'DATETIME(3) NULL'],
  ['deleted_at', 'DATETIME(3) NULL'],
  ['change_cursor', 'CHAR(37) CHARACTER SET ascii COLLATE ascii_bin NULL'],
];

export async function up(knex: Knex): Promise<void> {
  for (const [column, type] of COLUMNS) {
    if (!(await knex.schema.hasColumn('messages', column))) await knex.raw(`ALTER TABLE messages ADD COLUMN ${column} ${type}`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const [column] of [...COLUMNS].reverse()) {
    if (await knex.schema.hasColumn('messages', column)) await knex.raw(`ALTER TABLE messages DROP COLUMN ${column}`);
  }
}
