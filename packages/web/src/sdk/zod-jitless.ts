/**
 * The SDK checks params with core's zod schemas. zod compiles fast paths
 * with `new Function`, which the hub's Content-Security-Policy forbids (no
 * 'unsafe-eval', Trusted Types required): it would try, be refused, log a
 * violation and fall back. Telling it up front skips the attempt. Imported
 * first by main.tsx, before any schema is used.
 */
import { config } from 'zod';

config({ jitless: true });
