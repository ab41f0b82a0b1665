/**
 * The interactive session as a person uses it: through piped stdin and on a
 * pseudo-terminal, every command, the error paths, a message arriving while
 * a line is half typed, and a connection refused then found.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NextChatClient, type TypingEvent } from '../../../packages/client/src/index.js';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { freePort } from '../client/helpers.js';
import { CliSession } from './cli-process.js';

let hub: HubProcess;
let n = 0;
const gid = (name: string) => `${name}-${process.pid}-${n++}`;
const sessions: CliSession[] = [];
const clients: NextChatClient[] = [];

function session(args: string[], opts: { pty?: boolean; env?: Record<string, string> } = {}): CliSession {
  const s = CliSession.start(args, opts);
  sessions.push(s);
  return s;
}
async function sdk(user: string): Promise<NextChatClient> {
  const c = new NextChatClient({ url: hub.url, token: user, reconnect: false });
  clients.push(c);
  await c.connect();
  return c;
}

beforeAll(async () => {
  hub = await startHub();
});
afterEach(async () => {
  for (const s of sessions.splice(0)) s.kill();
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await hub?.stop();
});

describe('interactive session (piped stdin)', () => {
  it('runs every command and says what to do after each mistake', async () => {
    const g = gid('repl');
    const s = session([]);
    await s.expect('type "connect ws://HOST:5000 USER" to start');
    s.line('list');
    await s.expect('! not connected; connect first with: connect ws://HOST:5000 USER');
    s.line(`connect 127.0.0.1:${hub.port} dora`);
    await s.expect(`* connected to ws://127.0.0.1:${hub.port}/next-chat as dora; type help for the commands`);
    s.line('help');
    for (const c of ['connect URL USER', 'list [PREFIX]', 'create GROUP', 'join GROUP', 'leave GROUP', 'say GROUP TEXT', 'use GROUP', 'history GROUP [N]', 'members GROUP', 'help', 'bye']) {
      expect(await s.expect(c)).toBeTruthy();
    }
    s.line(`join ${g}`);
    await s.expect(`! group '${g}' does not exist; create it with: create ${g}`);
    s.line(`create ${g}`);
    await s.expect(`created group #${g}; join it with: join ${g}`);
    s.line(`create ${g}`);
    await s.expect(`! group '${g}' already exists; join it with: join ${g}`);
    s.line(`say ${g} too early`);
    await s.expect(`! you are not a member of group '${g}'; join it first with: join ${g}`);
    s.line('hello?');
    await s.expect(`! 'hello?' is not a command; type help for the list, or "use GROUP" to chat in a group`);
    s.line(`use ${g}`);
    await s.expect(`! you have not joined '${g}' in this session; join it first with: join ${g}`);

    s.line(`join ${g}`);
    await s.expect(`joined #${g} (1 member); no messages yet`);
    await s.expect(`* lines you type now go to #${g}`);
    s.line(`say ${g} first message`);
    await s.expect(`#${g} dora: first message`);
    s.line('a plain line goes to the group');
    await s.expect(`#${g} dora: a plain line goes to the group`);
    s.line('/nosuch thing');
    await s.expect("! there is no command 'nosuch'; type help for the list");

    const erin = await sdk('erin');
    await erin.join(g);
    await s.expect(`#${g} * erin joined`);
    await erin.send(g, 'hi dora');
    await s.expect(`#${g} erin: hi dora`);

    s.line(`history ${g} 2`);
    await s.expect(`#${g} dora: a plain line goes to the group`);
    await s.expect(`#${g} erin: hi dora`);
    s.line(`members ${g}`);
    await s.expect('2 members, 2 online');
    s.line(`list ${g}`);
    await s.expect(`#${g}  2 members, created by dora`);
    s.line('say');
    await s.expect('! usage: say GROUP TEXT');
    // The owner may not leave others behind: hand the room over, then leave.
    s.line(`leave ${g}`);
    await s.expect(`you own group '${g}' and others are still in it; hand ownership over first: role ${g} <user> owner`);
    s.line(`role ${g} erin owner`);
    await s.expect(`erin is the owner now`);
    s.line(`leave ${g}`);
    await s.expect(`left #${g}`);
    s.line('after leaving, plain lines have no group');
    await s.expect(`! 'after' is not a command`);
    s.line('bye');
    await s.expect('* bye');
    expect(await s.exited).toBe(0);
    // Nothing was printed twice.
    expect(s.text.split('erin: hi dora').length - 1).toBe(2); // once live, once in history
  });

  it('connects at start from --url/--user and ends at end of input', async () => {
    const s = session(['--url', `127.0.0.1:${hub.port}`, '--user', 'fred']);
    await s.expect('* connected to');
    s.line('list nothing-starts-like-this');
    await s.expect("no group starts with 'nothing-starts-like-this'");
    s.end();
    expect(await s.exited).toBe(0);
  });

  it('says plainly when the hub is not there, keeps trying, and connects once it is', async () => {
    const port = await freePort();
    const s = session(['--url', `127.0.0.1:${port}`, '--user', 'gina', '--max-reconnect-delay', '0.5']);
    await s.expect(`! cannot reach the hub at ws://127.0.0.1:${port}/next-chat: connection refused; is it running on that port?`);
    await s.expect('* retrying in the background');
    s.line('list');
    await s.expect('! not connected right now (reconnecting)');
    const late = await startHub({ NEXT_CHAT_PORT: String(port) });
    try {
      await s.expect(`* connected to ws://127.0.0.1:${port}/next-chat as gina`);
      s.line('list');
      await s.expect('there are no groups yet');
      s.line('bye');
      expect(await s.exited).toBe(0);
    } finally {
      await late.stop();
    }
  });

  it('refuses a bad identity without retrying', async () => {
    const s = session(['--url', `127.0.0.1:${hub.port}`, '--user', 'not valid']);
    await s.expect(/! the hub at .* refused this identity/);
    s.line('list');
    await s.expect('! not connected; connect first');
    s.line('bye');
    expect(await s.exited).toBe(0);
  });
});

// `script` (util-linux, essential on Debian) provides the pseudo-terminal.
const hasScript = spawnSync('script', ['--version']).status === 0;

describe.skipIf(!hasScript)('interactive session on a terminal (needs util-linux script)', () => {
  it('prints a message that arrives mid-typing above the prompt and keeps the half-typed line', async () => {
    const g = gid('tty');
    const hana = await sdk('hana');
    await hana.createGroup(g);
    await hana.join(g);

    const s = session(['--url', `127.0.0.1:${hub.port}`, '--user', 'ivan'], { pty: true });
    await s.expect('* connected to');
    s.line(`join ${g}`);
    await s.expect(`joined #${g} (2 members)`);
    await s.expect(`ivan#${g}> `); // the prompt names the group in use

    s.type('half a li');
    await s.expect('half a li'); // echoed by the terminal
    await hana.send(g, 'interrupting!');
    const shown = await s.expect(`hana: interrupting!`);
    expect(shown).not.toContain('half a liinterrupting'); // not glued to the typed text
    // The prompt is drawn again with the half-typed line after the message.
    await s.expect(`ivan#${g}> half a li`);

    const got = new Promise<string>((resolve) => hana.on('message', (m) => m.authorId === 'ivan' && resolve(m.text)));
    s.line('ne, finished');
    expect(await got).toBe('half a line, finished');
    await s.expect(`ivan: half a line, finished`);

    // Colours on a terminal.
    expect(s.raw).toMatch(/\x1b\[36m#/);
    s.line('bye');
    expect(await s.exited).toBe(0);
  });

  it('tells the group while a message is typed, and shows who else is typing above the half-typed line', async () => {
    const g = gid('typing');
    const hana = await sdk('hana');
    await hana.createGroup(g);
    await hana.join(g);

    const s = session(['--url', `127.0.0.1:${hub.port}`, '--user', 'lev'], { pty: true });
    await s.expect('* connected to');
    s.line(`join ${g}`);
    await s.expect(`joined #${g} (2 members)`);
    await s.expect(`lev#${g}> `);

    const typing = new Promise<TypingEvent>((resolve) => hana.on('typing', resolve));
    s.type('well, actua');
    expect(await typing).toEqual({ groupId: g, userId: 'lev', at: expect.any(String) });
    await hana.typing(g);
    await s.expect('hana is typing…');
    await s.expect(`lev#${g}> well, actua`);

    const got = new Promise<string>((resolve) => hana.on('message', (m) => m.authorId === 'lev' && resolve(m.text)));
    s.line('lly');
    expect(await got).toBe('well, actually');
    s.line('bye');
    expect(await s.exited).toBe(0);
  });

  it('leaves on Ctrl-C with exit code 0', async () => {
    const s = session(['--url', `127.0.0.1:${hub.port}`, '--user', 'kai'], { pty: true });
    await s.expect('* connected to');
    s.type('half typed\x03');
    expect(await s.exited).toBe(0);
  });

  it('respects NO_COLOR on a terminal', async () => {
    const s = session(['--url', `127.0.0.1:${hub.port}`, '--user', 'jo'], { pty: true, env: { NO_COLOR: '1' } });
    await s.expect('* connected to');
    s.line('list');
    await s.expect(/groups?\b/);
    s.line('bye');
    expect(await s.exited).toBe(0);
    expect(s.raw).not.toMatch(/\x1b\[(2|36|31|1)m/);
  });
});
