/**
 * The interactive session. Lines are commands (`join lobby`, `/join lobby`)
 * or, after `use GROUP`, messages for that group. Whatever arrives while the
 * person is typing is printed above the prompt, and the half-typed line is
 * drawn again below it. Everything goes to one output stream, in order.
 *
 * The prompt shows the unread messages of the other conversations
 * (`alice#lobby (3 unread)>`); what arrives in the group in use is on screen,
 * so the session moves the read marker along (`message.read`), as it does
 * for what `join`, `dm` and `history` print. `history` names each message
 * with a short id, stable for the session, that `edit` and `delete` take.
 */
import { createInterface, clearLine, cursorTo, type Interface } from 'node:readline';
import { NextChatClient, type ClientEvents, type Group, type Message, type Results, type WebSocketConstructor } from '@next-chat/client';
import { compareMessageIds } from '@next-chat/core';
import type { CommandContext, Outcome } from './context.js';
import { UsageError, errorToText } from './errors-to-text.js';
import {
  formatAdded,
  formatGroupUpdated,
  formatInvited,
  formatMemberEvent,
  formatMessage,
  formatRemoved,
  formatRoleEvent,
  formatTyping,
  formatUpdate,
  groupLabel,
  makeStyle,
  plural,
  type Style,
} from './format.js';
import { parseFlags, tokenize, type FlagSpec, type ParsedLine } from './line-args.js';
import { SETTINGS_FLAGS } from './settings.js';
import { SessionShortIds, looksLikeMessageRef, SHORT_ID_MIN } from './short-ids.js';
import { UnreadCounts } from './unread.js';
import * as ban from './commands/ban.js';
import * as bans from './commands/bans.js';
import * as block from './commands/block.js';
import * as blocked from './commands/blocked.js';
import * as conversations from './commands/conversations.js';
import * as create from './commands/create.js';
import * as decline from './commands/decline.js';
import * as del from './commands/delete.js';
import * as dm from './commands/dm.js';
import * as edit from './commands/edit.js';
import * as history from './commands/history.js';
import * as info from './commands/info.js';
import * as invitations from './commands/invitations.js';
import * as invite from './commands/invite.js';
import * as join from './commands/join.js';
import * as kick from './commands/kick.js';
import * as leave from './commands/leave.js';
import * as list from './commands/list.js';
import * as members from './commands/members.js';
import * as role from './commands/role.js';
import * as say from './commands/say.js';
import * as title from './commands/title.js';
import * as topic from './commands/topic.js';
import * as set from './commands/set.js';
import * as unban from './commands/unban.js';
import * as unblock from './commands/unblock.js';

export interface ReplOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream & { isTTY?: boolean };
  color: boolean;
  /** Connect at start when both are given. */
  url?: string;
  user?: string;
  token?: string;
  requestTimeoutMs: number;
  maxReconnectDelayMs: number;
  /** The WebSocket constructor the SDK uses (tests pass a scripted one); default: the SDK's. */
  WebSocket?: WebSocketConstructor;
}

export const HELP: [string, string][] = [
  ['connect URL USER [--token T]', 'connect to a hub, e.g. connect ws://localhost:5000 alice'],
  ['list [PREFIX]', 'list the groups'],
  ['create GROUP [--private] [--title T] [--topic T] [--capacity N]', 'create a room (you own it)'],
  ['info GROUP', 'settings, owner, size, your role'],
  ['set GROUP [--title T] [--topic T] [--private|--public] [--capacity N]', 'change a room (owner, admin)'],
  ['title GROUP [TEXT]', "set a room's title (owner, admin)"],
  ['topic GROUP [TEXT]', "set a room's topic (owner, admin)"],
  ['join GROUP', 'become a member and see its messages live'],
  ['leave GROUP', 'stop being a member'],
  ['say GROUP TEXT', 'send TEXT to GROUP (@USER: a direct conversation opened here)'],
  ['use GROUP', 'send the lines you type (that are not commands) to GROUP (or @USER)'],
  ['history GROUP [N]', 'show the last N messages (default 20), each with its short id'],
  ['edit [SHORTID] TEXT', 'change your last message in the group in use (or the message SHORTID) to TEXT'],
  ['delete [SHORTID] | delete GROUP [--yes]', 'delete your last message in the group in use (or the message SHORTID); or a room for everyone, with its messages (asks first)'],
  ['conversations', 'your rooms and direct conversations, with their unread counts'],
  ['members GROUP', 'who is in the group, and who is online'],
  ['dm USER', 'open the direct conversation with USER and put it in use'],
  ['invite GROUP USER', 'invite USER to a room'],
  ['invitations', 'the invitations waiting for you'],
  ['decline GROUP', 'turn down an invitation'],
  ['role GROUP USER owner|admin|member', 'give a member a role; owner hands the room over'],
  ['kick GROUP USER', 'put a member out (they may come back)'],
  ['ban GROUP USER [--for 10m|2h|1d] [--reason T]', 'put someone out and keep them out'],
  ['unban GROUP USER', 'lift a ban'],
  ['bans GROUP', 'the bans of a room'],
  ['block USER', 'stop USER writing to you directly'],
  ['unblock USER', 'let USER write to you directly again'],
  ['blocked', 'whom you block'],
  ['help', 'this list'],
  ['bye', 'leave the session (Ctrl-D works too)'],
];
const HELP_WIDTH = 35;
const COMMANDS = new Set([
  'connect',
  'list',
  'create',
  'info',
  'set',
  'title',
  'topic',
  'join',
  'leave',
  'say',
  'use',
  'history',
  'edit',
  'conversations',
  'members',
  'dm',
  'invite',
  'invitations',
  'decline',
  'role',
  'kick',
  'ban',
  'unban',
  'bans',
  'delete',
  'block',
  'unblock',
  'blocked',
  'help',
  'bye',
  'quit',
  'exit',
]);

/** Words, flags and how many positionals each command with flags or a fixed shape takes in the REPL. */
export const LINE_SPECS: Record<string, { usage: string; min: number; max: number; flags?: FlagSpec }> = {
  create: { usage: 'create GROUP [--private] [--title T] [--topic T] [--capacity N]', min: 1, max: 1, flags: { boolean: ['private'], string: ['title', 'topic', 'capacity'] } },
  info: { usage: 'info GROUP', min: 1, max: 1 },
  set: { usage: 'set GROUP [--title T] [--topic T] [--private|--public] [--capacity N]', min: 1, max: 1, flags: SETTINGS_FLAGS },
  dm: { usage: 'dm USER', min: 1, max: 1 },
  invite: { usage: 'invite GROUP USER', min: 2, max: 2 },
  invitations: { usage: 'invitations', min: 0, max: 0 },
  decline: { usage: 'decline GROUP', min: 1, max: 1 },
  role: { usage: 'role GROUP USER owner|admin|member', min: 3, max: 3 },
  kick: { usage: 'kick GROUP USER', min: 2, max: 2 },
  ban: { usage: 'ban GROUP USER [--for 10m|2h|1d] [--reason "T"]', min: 2, max: 2, flags: { string: ['for', 'reason'] } },
  unban: { usage: 'unban GROUP USER', min: 2, max: 2 },
  bans: { usage: 'bans GROUP', min: 1, max: 1 },
  delete: { usage: 'delete [SHORTID] | delete GROUP [--yes]', min: 0, max: 1, flags: { boolean: ['yes'] } },
  conversations: { usage: 'conversations', min: 0, max: 0 },
  block: { usage: 'block USER', min: 1, max: 1 },
  unblock: { usage: 'unblock USER', min: 1, max: 1 },
  blocked: { usage: 'blocked', min: 0, max: 0 },
};

/**
 * The words of a line for a command of LINE_SPECS: quotes keep spaces
 * (`--title "Design team"`), flags are checked, and the number of words must
 * be right, so a chat line that merely starts with a command's name
 * ("kick off at five") is refused rather than run.
 */
export function parseCommandLine(cmd: string, rest: string): ParsedLine {
  const spec = LINE_SPECS[cmd];
  if (!spec) throw new Error(`no line spec for ${cmd}`);
  let parsed: ParsedLine;
  try {
    parsed = parseFlags(tokenize(rest), spec.flags ?? {});
  } catch (err) {
    throw new UsageError(`${(err as Error).message}; usage: ${spec.usage}`);
  }
  const n = parsed.positionals.length;
  if (n < spec.min || n > spec.max) throw new UsageError(`usage: ${spec.usage}`);
  return parsed;
}

/**
 * Whether a half-typed line is on its way to being a message for the group
 * in use (so it is worth a typing signal): not a `/command`, and its first
 * word is not a command's name, nor, while still being typed, the start of
 * one ("he" may become "help"; "hel" too, "hell" no longer).
 */
export function isMessageSoFar(line: string): boolean {
  const s = line.trimStart();
  if (s === '' || s.startsWith('/')) return false;
  const m = /^(\S+)(\s?)/.exec(s)!;
  const word = m[1].toLowerCase();
  if (m[2] !== '') return !COMMANDS.has(word);
  for (const c of COMMANDS) if (c.startsWith(word)) return false;
  return true;
}

/** "bob is typing…" is shown at most once per user per group in this long. */
export const TYPING_SHOWN_EVERY_MS = 3000;

/** Splits off the first word: `say lobby hi there` → ['say', 'lobby hi there']. */
export function splitWord(s: string): [string, string] {
  const m = /^(\S*)\s*([\s\S]*)$/.exec(s.trimStart());
  return m ? [m[1], m[2]] : ['', ''];
}

export class Repl {
  readonly #o: ReplOptions;
  readonly #style: Style;
  readonly #tty: boolean;
  readonly #rl: Interface;
  /** Made at once: lines typed (or piped) while connecting must not be lost. */
  readonly #lines: AsyncIterator<string>;
  #client: NextChatClient | null = null;
  #user: string | undefined;
  /** The user id when it was given (not with a JWT alone): written "you" in events. */
  #me: string | undefined;
  #token: string | undefined;
  #current: string | undefined;
  #prompting = false;
  /** A `[y/N]` question is on the prompt: what is typed is an answer, not a message. */
  #asking = false;
  /** The half-typed line as of the last keystroke (a key that changes nothing, such as an arrow, sends no typing). */
  #typed = '';
  /** When "USER is typing…" was last shown, by `groupId\nuserId`. */
  readonly #typingShownAt = new Map<string, number>();
  readonly #onKeypress = () => this.#keystroke();
  /** Direct conversations met in this session: group id → the other person, and back. */
  readonly #peerOf = new Map<string, string>();
  readonly #directWith = new Map<string, string>();
  /** The short ids `history` shows, stable for the session. */
  #shortIds = new SessionShortIds();
  readonly #unread = new UnreadCounts();
  /** The prompt as last set (redrawn only when it changes). */
  #promptShown = '';
  /** message.read per group: one in flight at a time, the newest id waiting behind it. */
  readonly #reading = new Map<string, { inFlight: boolean; sent?: string; pending?: string }>();

  constructor(options: ReplOptions) {
    this.#o = options;
    this.#style = makeStyle(options.color);
    this.#tty = options.output.isTTY === true && (options.input as { isTTY?: boolean }).isTTY === true;
    this.#rl = createInterface({ input: options.input, output: options.output, terminal: this.#tty, historySize: 200 });
    this.#rl.on('SIGINT', () => this.#rl.close());
    this.#lines = this.#rl[Symbol.asyncIterator]();
    // On a terminal readline reads the input as keypresses ('keypress' events
    // on the input stream), and its own listener runs first: ours sees
    // `rl.line` with the key applied. Piped input has no keystrokes.
    if (this.#tty) options.input.on('keypress', this.#onKeypress);
  }

  /** Runs until `bye` or the end of input. */
  async run(): Promise<void> {
    if (this.#o.url && (this.#o.user || this.#o.token)) {
      await this.#connect(this.#o.url, this.#o.user, this.#o.token);
    } else {
      this.#print(this.#style.dim('next-chat: type "connect ws://HOST:5000 USER" to start, "help" for the commands.'));
    }
    this.#prompt();
    for (;;) {
      const next = await this.#lines.next();
      if (next.done) break;
      const line = next.value;
      this.#prompting = false;
      let bye = false;
      try {
        bye = await this.#handle(line);
      } catch (err) {
        this.#error(err);
      }
      if (bye) break;
      this.#prompt();
    }
    this.#o.input.off('keypress', this.#onKeypress);
    this.#rl.close();
    await this.#client?.close();
    this.#client = null;
  }

  /**
   * A key was pressed at the prompt. While the line is a message for the
   * group in use, say so with `typing`: the SDK sends at most one per group
   * per 1.5 s and never throws at us, so every keystroke may call it.
   */
  #keystroke(): void {
    const line = this.#rl.line;
    if (line === this.#typed) return;
    this.#typed = line;
    const group = this.#current;
    const client = this.#client;
    if (!this.#prompting || this.#asking || group === undefined || client?.state !== 'open') return;
    if (isMessageSoFar(line)) void client.typing(group);
  }

  /** "USER is typing…": not for this user, at most once per user per group per TYPING_SHOWN_EVERY_MS. */
  #showTyping(e: ClientEvents['typing']): void {
    if (this.#me !== undefined && e.userId === this.#me) return;
    const key = `${e.groupId}\n${e.userId}`;
    const now = Date.now();
    const last = this.#typingShownAt.get(key);
    if (last !== undefined && now >= last && now - last < TYPING_SHOWN_EVERY_MS) return;
    this.#typingShownAt.set(key, now);
    if (this.#typingShownAt.size > 256) {
      for (const [k, t] of this.#typingShownAt) if (now - t >= TYPING_SHOWN_EVERY_MS || now < t) this.#typingShownAt.delete(k);
    }
    this.#print(formatTyping(e, this.#style, e.groupId === this.#current ? undefined : this.#label(e.groupId)));
  }

  // ---- output ------------------------------------------------------------

  /** Prints above the prompt, then redraws the prompt and the half-typed line. */
  #print(text: string): void {
    const out = this.#o.output;
    if (this.#tty && this.#prompting) {
      clearLine(out, 0);
      cursorTo(out, 0);
      out.write(`${text}\n`);
      this.#rl.prompt(true);
    } else {
      out.write(`${text}\n`);
    }
  }

  #info(text: string): void {
    this.#print(this.#style.dim(`* ${text}`));
  }

  #error(err: unknown, group?: string, user?: string): void {
    this.#print(this.#style.red(`! ${errorToText(err, group, user)}`));
  }

  /** `#lobby`, or `@bob` for the direct conversation with bob. */
  #label(groupId: string): string {
    return groupLabel(groupId, this.#peerOf.get(groupId));
  }

  #learnDirect(group: Pick<Group, 'id' | 'kind' | 'peers'>, peer?: string): void {
    if (group.kind !== 'direct') return;
    const other = peer ?? (this.#me !== undefined ? group.peers?.find((p) => p !== this.#me) : undefined);
    if (other === undefined) return;
    this.#peerOf.set(group.id, other);
    this.#directWith.set(other, group.id);
  }

  /** How to name a group in a command: its id, or `@bob` for a direct conversation. */
  #sayName(groupId: string): string {
    const peer = this.#peerOf.get(groupId);
    return peer === undefined ? groupId : `@${peer}`;
  }

  /** A group named by the person: `@bob` is the direct conversation with bob opened in this session. */
  #resolve(name: string): string {
    if (!name.startsWith('@') || name.length === 1) return name;
    const id = this.#directWith.get(name.slice(1));
    if (id === undefined) throw new UsageError(`no direct conversation with ${name.slice(1)} in this session; open it with: dm ${name.slice(1)}`);
    return id;
  }

  /** Asks on the terminal and waits for the answer (y or yes: true). */
  async #confirm(question: string): Promise<boolean> {
    this.#rl.setPrompt(`${this.#style.yellow(question)} [y/N] `);
    this.#prompting = true;
    this.#asking = true;
    this.#rl.prompt(true);
    const next = await this.#lines.next();
    this.#prompting = false;
    this.#asking = false;
    return !next.done && /^\s*y(es)?\s*$/i.test(next.value);
  }

  /** `alice#lobby> `, with the unread messages of the other conversations: `alice#lobby (3 unread)> `. */
  #promptText(): string {
    if (!this.#tty) return '';
    const who = this.#user ?? '';
    const where = this.#current ? this.#label(this.#current) : '';
    const n = this.#unread.total(this.#current);
    return `${this.#style.bold(`${who}${where}`)}${n > 0 ? this.#style.yellow(` (${n} unread)`) : ''}> `;
  }

  #prompt(): void {
    this.#promptShown = this.#promptText();
    this.#rl.setPrompt(this.#promptShown);
    this.#prompting = true;
    if (this.#tty) this.#rl.prompt(true);
  }

  /** The unread count changed: redraw the prompt (the half-typed line stays as it is). */
  #refreshPrompt(): void {
    if (!this.#tty || this.#asking) return;
    const text = this.#promptText();
    if (text === this.#promptShown) return;
    this.#promptShown = text;
    this.#rl.setPrompt(text);
    if (!this.#prompting) return;
    clearLine(this.#o.output, 0);
    cursorTo(this.#o.output, 0);
    this.#rl.prompt(true);
  }

  // ---- read state --------------------------------------------------------

  /**
   * The person has seen the group up to `messageId`: move the marker there.
   * One request per group at a time; ids arriving meanwhile are folded into
   * the next. Refusals (a group left meanwhile) are of no interest.
   */
  #markRead(groupId: string, messageId: string): void {
    const client = this.#client;
    if (!client || client.state !== 'open') return;
    let st = this.#reading.get(groupId);
    if (!st) this.#reading.set(groupId, (st = { inFlight: false }));
    if (st.sent !== undefined && compareMessageIds(messageId, st.sent) <= 0) return;
    if (st.inFlight) {
      if (st.pending === undefined || compareMessageIds(messageId, st.pending) > 0) st.pending = messageId;
      return;
    }
    st.inFlight = true;
    st.sent = messageId;
    const state = st;
    client
      .markRead(groupId, messageId)
      .catch(() => {})
      .finally(() => {
        state.inFlight = false;
        const next = state.pending;
        state.pending = undefined;
        if (next !== undefined && this.#client === client) this.#markRead(groupId, next);
      });
  }

  /** What a command printed of a group: the newest of it is read. */
  #sawMessages(messages: readonly Message[] | undefined): void {
    const newest = messages?.[messages.length - 1];
    if (newest) this.#markRead(newest.groupId, newest.id);
  }

  /** The exact counts, from me.conversations (every page), e.g. after (re)connecting. */
  async #refreshUnread(c: NextChatClient): Promise<void> {
    try {
      const out = await conversations.exec(this.#ctx(c), {});
      if (this.#client !== c) return;
      this.#takeConversations(out.json as { conversations: Results['me.conversations']['conversations'] });
    } catch {
      // A hub without protocol 1.1, or the connection went: the counts stay as they are.
    }
  }

  #takeConversations(json: { conversations: Results['me.conversations']['conversations'] }): void {
    for (const c of json.conversations) {
      this.#learnDirect(c.group);
      this.#unread.setFromConversation(c);
    }
    this.#refreshPrompt();
  }

  // ---- commands ----------------------------------------------------------

  async #handle(raw: string): Promise<boolean> {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return false;
    const slash = line.trimStart().startsWith('/');
    const [word, rest] = splitWord(slash ? line.trimStart().slice(1) : line);
    const cmd = word.toLowerCase();
    if (!COMMANDS.has(cmd)) {
      if (slash) this.#error(new Error(`there is no command '${word}'; type help for the list`));
      else if (this.#current) this.#learnMe(await this.#run(say.exec, { group: this.#current, text: line }, this.#current));
      else this.#error(new Error(`'${word}' is not a command; type help for the list, or "use GROUP" to chat in a group`));
      return false;
    }
    // After `use`, a line that only looks like a command may have been meant as a message.
    const asMessage = (text: string): string =>
      this.#current && !slash && cmd !== 'say'
        ? `${text}; to send this line to ${this.#label(this.#current)} instead: say ${this.#sayName(this.#current)} ${line.trim()}`
        : text;
    if (LINE_SPECS[cmd]) {
      let parsed: ParsedLine;
      try {
        parsed = parseCommandLine(cmd, rest);
      } catch (err) {
        this.#error(new Error(asMessage((err as Error).message)));
        return false;
      }
      await this.#handleParsed(cmd, parsed);
      return false;
    }
    const args = rest.trim().split(/\s+/).filter(Boolean);
    const need = (n: number, usage: string): boolean => {
      if (args.length >= n) return true;
      this.#error(new Error(asMessage(`usage: ${usage}`)));
      return false;
    };
    switch (cmd) {
      case 'help':
        for (const [c, d] of HELP) {
          // Long usages get a line of their own, the description under them.
          if (c.length <= HELP_WIDTH) this.#print(`  ${this.#style.bold(c.padEnd(HELP_WIDTH))} ${d}`);
          else this.#print(`  ${this.#style.bold(c)}\n  ${' '.repeat(HELP_WIDTH)} ${d}`);
        }
        this.#print(this.#style.dim('  Commands may start with /. After "use GROUP", other lines are sent to GROUP.'));
        return false;
      case 'bye':
      case 'quit':
      case 'exit':
        this.#info('bye');
        return true;
      case 'connect': {
        if (!need(2, 'connect URL USER [--token TOKEN]')) return false;
        const t = args.indexOf('--token');
        const token = t >= 0 ? args[t + 1] : undefined;
        if (t >= 0 && !token) {
          this.#error(new Error('usage: connect URL USER --token TOKEN'));
          return false;
        }
        await this.#connect(args[0], args[1], token);
        return false;
      }
      case 'list':
        await this.#run(list.exec, { prefix: args[0] });
        return false;
      case 'join': {
        if (!need(1, 'join GROUP')) return false;
        const group = this.#resolve(args[0]);
        const out = await this.#run(join.exec, { group }, group);
        if (!out) return false;
        this.#learnDirect((out.json as Results['group.join']).group);
        this.#sawMessages((out.json as Results['group.join']).history);
        if (!this.#current) {
          this.#current = group;
          this.#info(`lines you type now go to ${this.#label(group)} (change with: use GROUP)`);
        }
        return false;
      }
      case 'leave': {
        if (!need(1, 'leave GROUP')) return false;
        const group = this.#resolve(args[0]);
        if (await this.#run(leave.exec, { group }, group)) {
          this.#unread.remove(group);
          if (this.#current === group) this.#current = undefined;
        }
        return false;
      }
      case 'say': {
        if (!need(2, 'say GROUP TEXT')) return false;
        const [name, text] = splitWord(rest);
        const group = this.#resolve(name);
        this.#learnMe(await this.#run(say.exec, { group, text }, group));
        return false;
      }
      case 'edit':
        await this.#edit(rest, asMessage);
        return false;
      case 'title':
      case 'topic': {
        if (!need(1, `${cmd} GROUP [TEXT]`)) return false;
        const [name, text] = splitWord(rest);
        const group = this.#resolve(name);
        await this.#run(cmd === 'title' ? title.exec : topic.exec, { group, text: text === '' ? [] : text }, group);
        return false;
      }
      case 'use':
        this.#use(args[0]);
        return false;
      case 'history': {
        if (!need(1, 'history GROUP [N]')) return false;
        const n = args[1] === undefined ? undefined : Number(args[1]);
        const group = this.#resolve(args[0]);
        const out = await this.#run(history.exec, { group, n }, group);
        if (out) this.#sawMessages((out.json as { messages: Message[] }).messages);
        return false;
      }
      case 'members': {
        if (!need(1, 'members GROUP')) return false;
        const group = this.#resolve(args[0]);
        await this.#run(members.exec, { group }, group);
        return false;
      }
    }
    return false;
  }

  /** The commands of LINE_SPECS, their words already checked. */
  async #handleParsed(cmd: string, { positionals: p, flags: f }: ParsedLine): Promise<void> {
    const str = (k: string): string | undefined => (typeof f[k] === 'string' ? (f[k] as string) : undefined);
    const bool = (k: string): boolean | undefined => (f[k] === true ? true : undefined);
    switch (cmd) {
      case 'create':
        await this.#run(create.exec, { group: p[0], private: bool('private'), title: str('title'), topic: str('topic'), capacity: str('capacity') }, p[0]);
        return;
      case 'info': {
        const group = this.#resolve(p[0]);
        await this.#run(info.exec, { group }, group);
        return;
      }
      case 'set':
        await this.#run(
          set.exec,
          { group: p[0], private: bool('private'), public: bool('public'), title: str('title'), topic: str('topic'), capacity: str('capacity') },
          p[0],
        );
        return;
      case 'dm': {
        const out = await this.#run(dm.exec, { who: p[0] }, undefined, p[0]);
        if (!out) return;
        const group = (out.json as Results['direct.open']).group;
        this.#learnDirect(group, p[0]);
        this.#sawMessages((out.json as Results['direct.open']).history);
        this.#current = group.id;
        this.#info(`lines you type now go to @${p[0]} (change with: use GROUP)`);
        return;
      }
      case 'invite':
        await this.#run(invite.exec, { group: p[0], who: p[1] }, p[0], p[1]);
        return;
      case 'invitations':
        await this.#run(invitations.exec, {});
        return;
      case 'decline':
        await this.#run(decline.exec, { group: p[0] }, p[0]);
        return;
      case 'role':
        await this.#run(role.exec, { group: p[0], who: p[1], role: p[2] }, p[0], p[1]);
        return;
      case 'kick':
        await this.#run(kick.exec, { group: p[0], who: p[1] }, p[0], p[1]);
        return;
      case 'ban':
        await this.#run(ban.exec, { group: p[0], who: p[1], for: str('for'), reason: str('reason') }, p[0], p[1]);
        return;
      case 'unban':
        await this.#run(unban.exec, { group: p[0], who: p[1] }, p[0], p[1]);
        return;
      case 'bans':
        await this.#run(bans.exec, { group: p[0] }, p[0]);
        return;
      case 'delete': {
        const yes = bool('yes');
        if (p.length === 0) {
          // Your last message in the group in use.
          if (yes) this.#error(new UsageError('usage: delete GROUP --yes deletes a room; delete [SHORTID] deletes a message'));
          else if (this.#current === undefined) this.#error(new UsageError(NO_GROUP_FOR_LAST('delete')));
          else await this.#run(del.exec, { group: this.#current, message: 'last' }, this.#current);
          return;
        }
        // --yes always means the room; else a short id of this session is a message.
        const ref = yes ? undefined : this.#shortIds.lookup(p[0], this.#current);
        if (ref) {
          await this.#run(del.exec, { group: ref.groupId, message: ref.messageId }, ref.groupId);
          return;
        }
        if (!yes && looksLikeMessageRef(p[0])) {
          this.#error(new UsageError(`no message has the short id '${p[0]}' in this session (history GROUP shows them); to delete the room '${p[0]}': delete ${p[0]} --yes`));
          return;
        }
        const out = await this.#run(del.exec, { group: p[0], yes }, p[0]);
        if (out && (out.json as { deleted: boolean }).deleted) {
          this.#unread.remove(p[0]);
          if (this.#current === p[0]) this.#current = undefined;
        }
        return;
      }
      case 'conversations': {
        const out = await this.#run(conversations.exec, {});
        if (out) this.#takeConversations(out.json as { conversations: Results['me.conversations']['conversations'] });
        return;
      }
      case 'block':
        await this.#run(block.exec, { who: p[0] }, undefined, p[0]);
        return;
      case 'unblock':
        await this.#run(unblock.exec, { who: p[0] }, undefined, p[0]);
        return;
      case 'blocked':
        await this.#run(blocked.exec, {});
        return;
    }
  }

  /**
   * `edit TEXT` (your last message in the group in use), `edit SHORTID TEXT`
   * (a message `history` named in this session), `edit -- TEXT` (TEXT may
   * then begin with a word that looks like a short id).
   */
  async #edit(rest: string, asMessage: (text: string) => string): Promise<void> {
    const usage = 'usage: edit [SHORTID] TEXT';
    if (rest.trim() === '') {
      this.#error(new UsageError(asMessage(usage)));
      return;
    }
    const [first, remainder] = splitWord(rest);
    if (first === '--') {
      await this.#editLast(remainder);
      return;
    }
    const ref = this.#shortIds.lookup(first, this.#current);
    if (ref && remainder.trim() === '') {
      this.#error(new UsageError(`nothing to change it to; usage: edit ${first} TEXT`));
      return;
    }
    if (ref) {
      await this.#run(edit.exec, { group: ref.groupId, message: ref.messageId, text: remainder }, ref.groupId);
      return;
    }
    if (remainder.trim() !== '' && looksLikeMessageRef(first) && first.length >= SHORT_ID_MIN) {
      this.#error(
        new UsageError(`no message has the short id '${first}' in this session (history GROUP shows them); to make your last message begin with it: edit -- ${rest.trim()}`),
      );
      return;
    }
    await this.#editLast(rest);
  }

  async #editLast(text: string): Promise<void> {
    if (this.#current === undefined) {
      this.#error(new UsageError(NO_GROUP_FOR_LAST('edit')));
      return;
    }
    await this.#run(edit.exec, { group: this.#current, message: 'last', text }, this.#current);
  }

  /** With a token alone the user id is not known until the hub names it: the author of our own send. */
  #learnMe(out: Outcome | null): void {
    const m = (out?.json as { message?: Message } | undefined)?.message;
    if (this.#me === undefined && m && typeof m.authorId === 'string') this.#me = m.authorId;
  }

  /** Runs a shared command; prints its lines or its error. Its outcome on success, else null. */
  async #run<A>(exec: (ctx: CommandContext, args: A) => Promise<Outcome>, args: A, group?: string, user?: string): Promise<Outcome | null> {
    const client = this.#client;
    if (!client) {
      this.#error(new Error('not connected; connect first with: connect ws://HOST:5000 USER'));
      return null;
    }
    if (client.state !== 'open') {
      this.#error(new Error('not connected right now (reconnecting); wait for "reconnected", or type bye'));
      return null;
    }
    try {
      const outcome = await exec(this.#ctx(client), args);
      for (const l of outcome.lines) this.#print(l);
      return outcome;
    } catch (err) {
      this.#error(err, group, user);
      return null;
    }
  }

  #ctx(client: NextChatClient): CommandContext {
    return {
      client,
      style: this.#style,
      interactive: true,
      ...(this.#me !== undefined ? { me: this.#me } : {}),
      // Only a person at a terminal can answer; piped input must say --yes.
      ...(this.#tty ? { confirm: (q: string) => this.#confirm(q) } : {}),
      where: (g: string) => this.#label(g),
      shortIds: this.#shortIds,
    };
  }

  #use(name: string | undefined): void {
    if (!name) {
      this.#info(this.#current ? `lines go to ${this.#label(this.#current)}` : 'no group in use; pick one with: use GROUP');
      return;
    }
    const group = this.#resolve(name);
    if (!this.#client?.joinedGroups.includes(group)) {
      this.#error(new Error(`you have not joined '${group}' in this session; join it first with: join ${group}`));
      return;
    }
    this.#current = group;
    this.#info(`lines you type now go to ${this.#label(group)}`);
    const n = this.#unread.get(group);
    if (n > 0) this.#info(`${this.#label(group)}: ${n} unread; see them with: history ${this.#sayName(group)} ${Math.min(n, 10_000)}`);
  }

  async #connect(url: string, givenUser: string | undefined, token: string | undefined): Promise<void> {
    if (this.#client) {
      await this.#client.close();
      this.#client = null;
      this.#current = undefined;
    }
    this.#peerOf.clear();
    this.#directWith.clear();
    this.#shortIds = new SessionShortIds();
    this.#unread.clear();
    this.#reading.clear();
    const user = givenUser ?? 'you';
    this.#me = givenUser;
    let client: NextChatClient;
    try {
      client = new NextChatClient({
        url,
        token: token ?? user,
        requestTimeoutMs: this.#o.requestTimeoutMs,
        reconnect: { maxDelayMs: this.#o.maxReconnectDelayMs },
        ...(this.#o.WebSocket ? { WebSocket: this.#o.WebSocket } : {}),
      });
    } catch (err) {
      this.#error(err);
      return;
    }
    this.#client = client;
    this.#user = user;
    this.#token = token;
    this.#wire(client);
    this.#info(`connecting to ${client.url} as ${user}…`);
    // Wait for the first attempt only: when it fails, say so and keep trying
    // in the background while the session stays usable.
    let offFailed = () => {};
    const firstFailure = new Promise<ClientEvents['reconnecting']>((resolve) => {
      offFailed = client.on('reconnecting', resolve);
    });
    const outcome = await Promise.race([
      client.connect({ retry: true }).then(
        () => null,
        (err: unknown) => ({ fatal: err }),
      ),
      firstFailure,
    ]);
    offFailed();
    if (outcome === null) return;
    if ('fatal' in outcome) {
      if (this.#client === client) this.#client = null;
      this.#error(outcome.fatal);
      return;
    }
    this.#error(outcome.error ?? new Error('the first attempt failed'));
    this.#info(`retrying in the background (next attempt in ${seconds(outcome.delayMs)}); type bye to give up`);
  }

  #wire(c: NextChatClient): void {
    const live = () => this.#client === c;
    // The first failed attempt of a fresh connect is reported by #connect.
    let quietFailures = 1;
    c.on('message', (m) => {
      if (!live()) return;
      // Their message is what they were typing: the next "is typing…" is news again.
      this.#typingShownAt.delete(`${m.groupId}\n${m.authorId}`);
      const mine = this.#me !== undefined && m.authorId === this.#me;
      const foreground = m.groupId === this.#current;
      const counted = this.#unread.onMessage(m, { mine, foreground });
      this.#print(formatMessage(m, this.#style, this.#label(m.groupId)));
      if (counted) this.#refreshPrompt();
      // On screen in the group in use: read. (Your own send moved the marker already.)
      if (foreground && !mine) this.#markRead(m.groupId, m.id);
    });
    c.on('message.updated', (u) => {
      if (live()) this.#print(formatUpdate(u.message, this.#style, this.#label(u.message.groupId), this.#shortIds.known(u.message)));
    });
    c.on('read', (e) => {
      if (!live()) return;
      this.#unread.onRead(e);
      this.#refreshPrompt();
    });
    c.on('typing', (e) => {
      if (live()) this.#showTyping(e);
    });
    c.on('member.joined', (e) => {
      if (live() && e.userId !== this.#user) this.#print(formatMemberEvent('joined', e, this.#style, this.#label(e.groupId)));
    });
    // What this user did (a kick, a role) is confirmed by the command's own line, like a join.
    const byMe = (by: unknown) => this.#me !== undefined && by === this.#me;
    c.on('member.left', (e) => {
      if (live() && e.userId !== this.#user && !(e.reason !== 'left' && byMe(e.by))) this.#print(formatMemberEvent('left', e, this.#style, this.#label(e.groupId)));
    });
    c.on('member.role', (e) => {
      if (live() && !byMe(e.by)) this.#print(formatRoleEvent(e, this.#style, this.#me, this.#label(e.groupId)));
    });
    c.on('group.updated', (e) => {
      if (live()) this.#print(formatGroupUpdated(e, this.#style, this.#label(e.group.id)));
    });
    c.on('invited', (e) => {
      if (live()) this.#print(formatInvited(e, this.#style));
    });
    c.on('conversation.added', (e) => {
      if (!live()) return;
      this.#learnDirect(e.group, e.group.kind === 'direct' ? e.by : undefined);
      this.#print(formatAdded(e, this.#style));
    });
    c.on('conversation.removed', (e) => {
      if (!live()) return;
      this.#unread.remove(e.groupId);
      // Our own `delete` already said so.
      if (!(e.reason === 'deleted' && byMe(e.by))) this.#print(formatRemoved(e, this.#style, this.#label(e.groupId)));
      if (this.#current === e.groupId) {
        this.#current = undefined;
        this.#info('no group in use now; pick one with: use GROUP');
      }
    });
    c.on('open', ({ reconnected }) => {
      if (!live()) return;
      quietFailures = 0;
      // Counts of conversations this connection does not follow live (and what changed while away).
      void this.#refreshUnread(c);
      if (!reconnected) {
        this.#info(`connected to ${c.url} as ${this.#user}; type help for the commands`);
        return;
      }
      const n = c.joinedGroups.length;
      this.#info(`reconnected${n > 0 ? `; re-joining ${plural(n, 'group')} and fetching what was missed` : ''}`);
    });
    c.on('close', (e) => {
      if (!live()) return;
      if (e.willReconnect) {
        const why = e.code === 1001 ? 'the hub is shutting down' : `code ${e.code}${e.reason ? `, ${e.reason}` : ''}`;
        this.#error(new Error(`lost the connection to the hub (${why}); reconnecting…`));
      } else if (e.error) {
        this.#error(new Error(`disconnected: ${errorToText(e.error)}; connect again with: connect ${c.url} ${this.#user}${this.#token ? ' --token TOKEN' : ''}`));
      }
    });
    c.on('reconnecting', (e) => {
      if (!live() || !e.error) return;
      if (quietFailures > 0) {
        quietFailures--;
        return;
      }
      this.#info(`still no connection, next attempt in ${seconds(e.delayMs)}: ${errorToText(e.error)}`);
    });
    c.on('resumed', (e) => {
      if (!live()) return;
      const gap = e.complete ? '' : ' (older missed messages were too many to fetch)';
      const what = [...(e.missed > 0 ? [plural(e.missed, 'missed message')] : []), ...(e.updated ? [plural(e.updated, 'change')] : [])];
      this.#info(`#${e.groupId}: ${what.length === 0 ? 'nothing missed' : `${what.join(' and ')} shown above`}${gap}`);
    });
    c.on('error', (err) => {
      if (live()) this.#error(err);
    });
  }
}

const NO_GROUP_FOR_LAST = (verb: 'edit' | 'delete') =>
  `no group in use, so no last message to ${verb}: pick its group with: use GROUP, or name the message: ${verb} SHORTID${verb === 'edit' ? ' TEXT' : ''} (history GROUP shows them)`;

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export async function startRepl(options: ReplOptions): Promise<void> {
  await new Repl(options).run();
}
