/** The room settings flags shared by `create` and `set`: --private/--public, --title, --topic, --capacity. */
import type { CreateGroupParams } from '@next-chat/client';
import type { Argv } from 'yargs';
import { UsageError } from './errors-to-text.js';

export interface SettingsArgs {
  private?: boolean;
  public?: boolean;
  title?: string;
  topic?: string;
  /** A number from yargs; the REPL passes the word as typed. */
  capacity?: number | string;
}

/** The yargs options (`withPublic`: `set` may also make a room public again). */
export function settingsOptions<T>(y: Argv<T>, withPublic: boolean): Argv<T & SettingsArgs> {
  let o = y
    .option('private', { type: 'boolean', describe: 'only members, invitees and the owner may see and join it' })
    .option('title', { type: 'string', describe: 'a title, up to 100 characters ("" clears it)' })
    .option('topic', { type: 'string', describe: 'a topic, up to 500 characters ("" clears it)' })
    .option('capacity', { type: 'number', describe: 'the most members, at least 2' });
  if (withPublic) o = o.option('public', { type: 'boolean', describe: 'anyone may find and join it' }).conflicts('private', 'public');
  return o as unknown as Argv<T & SettingsArgs>;
}

/** The same flags in the REPL (see line-args.ts). */
export const SETTINGS_FLAGS = { boolean: ['private', 'public'], string: ['title', 'topic', 'capacity'] } as const;

/** Params of group.create / group.update from the flags; only what was given. */
export function settingsParams(args: SettingsArgs): CreateGroupParams {
  if (args.private && args.public) throw new UsageError('--private and --public contradict each other; give one');
  const out: CreateGroupParams = {};
  if (args.private) out.visibility = 'private';
  else if (args.public) out.visibility = 'public';
  if (args.title !== undefined) out.title = String(args.title);
  if (args.topic !== undefined) out.topic = String(args.topic);
  if (args.capacity !== undefined) {
    const n = Number(args.capacity);
    if (!Number.isInteger(n) || n < 2) throw new UsageError(`--capacity must be a whole number of at least 2, got '${args.capacity}'`);
    out.capacity = n;
  }
  return out;
}
