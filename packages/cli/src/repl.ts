/**
 * The interactive session. Lines are commands (`join lobby`, `/join lobby`)
 * or, after `use GROUP`, messages for that group. Whatever arrives while the
 * person is typing is printed above the prompt, and the half-typed line is
 * drawn again below it. Everything goes to one output stream, in order.
 */
import { createInterface, clearLine, cursorTo, type Interface } from 'node:readline';
import { NextChatClient, type ClientEvents } from '@next-chat/client';
import type { CommandContext, Outcome } from './context.js';
import { errorToText } from './errors-to-text.js';
import { formatMemberEvent, formatMessage, makeStyle, plural, type Style } from './format.js';
import * as create from './commands/create.js';
import * as history from './commands/history.js';
import * as join from './commands/join.js';
import * as leave from './commands/leave.js';
import * as list from './commands/list.js';
import * as members from './commands/members.js';
import * as say from './commands/say.js';

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
}

const HELP: [string, string][] = [
  ['connect URL USER [--token T]', 'connect to a hub, e.g. connect ws://localhost:5000 alice'],
  ['list [PREFIX]', 'list the groups'],
  ['create GROUP', 'create a group'],
  ['join GROUP', 'become a member and see its messages live'],
  ['leave GROUP', 'stop being a member'],
  ['say GROUP TEXT', 'send TEXT to GROUP'],
  ['use GROUP', 'send the lines you type (that are not commands) to GROUP'],
  ['history GROUP [N]', 'show the last N messages (default 20)'],
  ['members GROUP', 'who is in the group, and who is online'],
  ['help', 'this list'],
  ['bye', 'leave the session (Ctrl-D works too)'],
];
const COMMANDS = new Set(['connect', 'list', 'create', 'join', 'leave', 'say', 'use', 'history', 'members', 'help', 'bye', 'quit', 'exit']);

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
  #token: string | undefined;
  #current: string | undefined;
  #prompting = false;

  constructor(options: ReplOptions) {
    this.#o = options;
    this.#style = makeStyle(options.color);
    this.#tty = options.output.isTTY === true && (options.input as { isTTY?: boolean }).isTTY === true;
    this.#rl = createInterface({ input: options.input, output: options.output, terminal: this.#tty, historySize: 200 });
    this.#rl.on('SIGINT', () => this.#rl.close());
    this.#lines = this.#rl[Symbol.asyncIterator]();
  }

  /** Runs until `bye` or the end of input. */
  async run(): Promise<void> {
    if (this.#o.url && (this.#o.user || this.#o.token)) {
      await this.#connect(this.#o.url, this.#o.user ?? 'you', this.#o.token);
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
    this.#rl.close();
    await this.#client?.close();
    this.#client = null;
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

  #error(err: unknown, group?: string): void {
    this.#print(this.#style.red(`! ${errorToText(err, group)}`));
  }

  #prompt(): void {
    const who = this.#user ?? '';
    const where = this.#current ? `#${this.#current}` : '';
    this.#rl.setPrompt(this.#tty ? `${this.#style.bold(`${who}${where}`)}> ` : '');
    this.#prompting = true;
    if (this.#tty) this.#rl.prompt(true);
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
      else if (this.#current) await this.#run(say.exec, { group: this.#current, text: line }, this.#current);
      else this.#error(new Error(`'${word}' is not a command; type help for the list, or "use GROUP" to chat in a group`));
      return false;
    }
    const args = rest.trim().split(/\s+/).filter(Boolean);
    const need = (n: number, usage: string): boolean => {
      if (args.length >= n) return true;
      this.#error(new Error(`usage: ${usage}`));
      return false;
    };
    switch (cmd) {
      case 'help':
        for (const [c, d] of HELP) this.#print(`  ${this.#style.bold(c.padEnd(30))} ${d}`);
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
      case 'create':
        if (need(1, 'create GROUP')) await this.#run(create.exec, { group: args[0] }, args[0]);
        return false;
      case 'join':
        if (need(1, 'join GROUP') && (await this.#run(join.exec, { group: args[0] }, args[0])) && !this.#current) {
          this.#current = args[0];
          this.#info(`lines you type now go to #${args[0]} (change with: use GROUP)`);
        }
        return false;
      case 'leave':
        if (need(1, 'leave GROUP') && (await this.#run(leave.exec, { group: args[0] }, args[0])) && this.#current === args[0]) {
          this.#current = undefined;
        }
        return false;
      case 'say': {
        if (!need(2, 'say GROUP TEXT')) return false;
        const [group, text] = splitWord(rest);
        await this.#run(say.exec, { group, text }, group);
        return false;
      }
      case 'use':
        this.#use(args[0]);
        return false;
      case 'history': {
        if (!need(1, 'history GROUP [N]')) return false;
        const n = args[1] === undefined ? undefined : Number(args[1]);
        await this.#run(history.exec, { group: args[0], n }, args[0]);
        return false;
      }
      case 'members':
        if (need(1, 'members GROUP')) await this.#run(members.exec, { group: args[0] }, args[0]);
        return false;
    }
    return false;
  }

  /** Runs a shared command; prints its lines or its error. True on success. */
  async #run<A>(exec: (ctx: CommandContext, args: A) => Promise<Outcome>, args: A, group?: string): Promise<boolean> {
    const client = this.#client;
    if (!client) {
      this.#error(new Error('not connected; connect first with: connect ws://HOST:5000 USER'));
      return false;
    }
    if (client.state !== 'open') {
      this.#error(new Error('not connected right now (reconnecting); wait for "reconnected", or type bye'));
      return false;
    }
    try {
      const outcome = await exec({ client, style: this.#style, interactive: true }, args);
      for (const l of outcome.lines) this.#print(l);
      return true;
    } catch (err) {
      this.#error(err, group);
      return false;
    }
  }

  #use(group: string | undefined): void {
    if (!group) {
      this.#info(this.#current ? `lines go to #${this.#current}` : 'no group in use; pick one with: use GROUP');
      return;
    }
    if (!this.#client?.joinedGroups.includes(group)) {
      this.#error(new Error(`you have not joined '${group}' in this session; join it first with: join ${group}`));
      return;
    }
    this.#current = group;
    this.#info(`lines you type now go to #${group}`);
  }

  async #connect(url: string, user: string, token: string | undefined): Promise<void> {
    if (this.#client) {
      await this.#client.close();
      this.#client = null;
      this.#current = undefined;
    }
    let client: NextChatClient;
    try {
      client = new NextChatClient({
        url,
        token: token ?? user,
        requestTimeoutMs: this.#o.requestTimeoutMs,
        reconnect: { maxDelayMs: this.#o.maxReconnectDelayMs },
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
      if (live()) this.#print(formatMessage(m, this.#style));
    });
    c.on('member.joined', (e) => {
      if (live() && e.userId !== this.#user) this.#print(formatMemberEvent('joined', e, this.#style));
    });
    c.on('member.left', (e) => {
      if (live() && e.userId !== this.#user) this.#print(formatMemberEvent('left', e, this.#style));
    });
    c.on('open', ({ reconnected }) => {
      if (!live()) return;
      quietFailures = 0;
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
      this.#info(`#${e.groupId}: ${e.missed === 0 ? 'nothing missed' : `${plural(e.missed, 'missed message')} shown above`}${gap}`);
    });
    c.on('error', (err) => {
      if (live()) this.#error(err);
    });
  }
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export async function startRepl(options: ReplOptions): Promise<void> {
  await new Repl(options).run();
}
