/** The hub's release, from its package.json (the OpenAPI document's version). */
import { createRequire } from 'node:module';

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };
export const SERVER_VERSION: string = pkg.version;
