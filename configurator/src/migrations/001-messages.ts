import type { Knex } from 'knex';

/**
 * The history table. Keyed by (group_id, ms, seq): the message id
 * `"<ms>-<seq>"` split into numbers, so keyset pages (`(ms, seq) < (?, ?)`)
 * walk the primary key and inserts of a message already written are no-ops.
 * Ids are ascii_bin: group and user ids are case-sensitive on the wire, and a
 * case-insensitive collation would merge `Ops` and `ops`.
 */
export const name = '001-messages';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE IF NOT EXISTS messages (
      group_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      ms BIGINT UNSIGNED NOT NULL,
      seq BIGINT UNSIGNED NOT NULL,
      author_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      text TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
      sent_at DATETIME(3) NOT NULL,
      client_message_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
      PRIMARY KEY (group_id, ms, seq)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS messages');
}
