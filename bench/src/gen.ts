/**
 * A load generator child process (loadgen.ts) and its IPC requests.
 */
import { fileURLToPath } from 'node:url';
import { Forked } from './forked.js';
import type { Command, Event } from './loadgen.js';

const LOADGEN = fileURLToPath(new URL('./loadgen.js', import.meta.url));

export class Gen extends Forked<Command, Event> {
  constructor(name: string) {
    super(name, LOADGEN, ['--max-old-space-size=4096']);
  }
}
