/**
 * Every migration, in order. A list in code instead of a directory scan, so
 * the compiled configurator runs from anywhere and tests can apply the same
 * list. Never edit an applied migration: add the next one.
 */
import type { Knex } from 'knex';
import * as m001 from './001-messages.js';
import * as m002 from './002-message-changes.js';

export interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export const migrations: readonly Migration[] = [m001, m002];

/** knex `migrationSource` over {@link migrations}. */
export const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: async () => [...migrations],
  getMigrationName: (m) => m.name,
  getMigration: async (m) => m,
};
