export { configure, parseMysqlUrl, knexFor, ConfiguratorError, ExitCode, MIGRATIONS_TABLE } from './configure.js';
export type { ConfigureOptions, ConfigureResult, MysqlTarget } from './configure.js';
export { migrations, migrationSource } from './migrations/index.js';
export type { Migration } from './migrations/index.js';
export { main } from './main.js';
