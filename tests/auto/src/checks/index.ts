import type { Check } from '../context.js';
import { basicChecks } from './basic.js';
import { crossChecks } from './cross.js';
import { editChecks, editCrossChecks } from './edits.js';
import { errorChecks } from './errors.js';
import { healthChecks } from './health.js';
import { loadChecks } from './load.js';
import { readChecks, readCrossChecks } from './reads.js';
import { roomChecks, roomCrossChecks } from './rooms.js';
import { typingChecks, typingCrossChecks } from './typing.js';

/** Every check, in run order: cheap and fundamental first, load last. */
export const ALL_CHECKS: readonly Check[] = [
  ...healthChecks,
  ...basicChecks,
  ...errorChecks,
  ...roomChecks,
  ...typingChecks,
  ...readChecks,
  ...editChecks,
  ...crossChecks,
  ...roomCrossChecks,
  ...typingCrossChecks,
  ...readCrossChecks,
  ...editCrossChecks,
  ...loadChecks,
];

/**
 * The checks selected by --only / --skip (names of checks or groups).
 * Throws on an unknown name, listing the known ones.
 */
export function selectChecks<C extends { name: string; group: string }>(all: readonly C[], only: readonly string[], skip: readonly string[]): C[] {
  const known = new Set(all.flatMap((c) => [c.name, c.group]));
  for (const n of [...only, ...skip]) {
    if (!known.has(n)) throw new Error(`unknown check or group '${n}'; known: ${[...known].join(', ')}`);
  }
  return all.filter((c) => (only.length === 0 || only.includes(c.name) || only.includes(c.group)) && !skip.includes(c.name) && !skip.includes(c.group));
}
