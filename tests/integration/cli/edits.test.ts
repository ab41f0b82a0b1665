/**
 * Edits, deletes, short ids and unread counts in the real `next-chat`
 * program against a real hub: one-shot `history` / `edit` / `delete` /
 * `conversations` with their exit codes, and interactive sessions (piped,
 * and on a pseudo-terminal for the prompt) where changes arrive live and
 * what is shown in the group in use is marked read.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NextChatClient, type Message } from '../../../packages/client/src/index.js';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { CliSession, runCli } from './cli-process.js';

let hub: HubProcess;
let as: (user: string, ...args: string[]) => ReturnType<typeof runCli>;
let n = 0;
const gid = (name: string) => `${name}-${process.pid}-${n++}`;
/** A user id of this run, so unread counts start from nothing. */
const uid = (name: string) => `${name}-${process.pid}-${n++}`;
const sessions: CliSession[] = [];
const clients: NextChatClient[] = [];

async function sdk(user: string): Promise<NextChatClient> {
  const c = new NextChatClient({ url: hub.url, token: user, reconnect: false });
  clients.push(c);
  await c.connect();
  return c;
}
function session(args: string[], opts: { pty?: boolean } = {}): CliSession {
  const s = CliSession.start(['--url', `127.0.0.1:${hub.port}`, ...args], opts);
  sessions.push(s);
  return s;
}
/** The short id history printed for the line with `text`. */
function shortIdOf(historyOut: string, text: string): string {
  const line = historyOut.split('\n').find((l) => l.endsWith(text) || l.includes(`: ${text} (edited)`));
  if (!line) throw new Error(`no line with '${text}' in:\n${historyOut}`);
  return line.trim().split(' ')[0];
}

beforeAll(async () => {
  hub = await startHub({ NEXT_CHAT_RATE_LIMIT: '0' });
  as = (user, ...args) => runCli(['--url', `127.0.0.1:${hub.port}`, '--user', user, ...args]);
});
afterEach(async () => {
  for (const s of sessions.splice(0)) s.kill();
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await hub?.stop();
});

describe('one-shot edit, delete, history and conversations', () => {
  it('history shows short ids that edit and delete take; last is your newest message; markers show what changed', async () => {
    const g = gid('oneshot-edit');
    const alice = uid('alice');
    const bob = uid('bob');
    expect((await as(alice, 'create', g)).code).toBe(0);
    await as(alice, 'join', g);
    await as(bob, 'join', g);
    await as(alice, 'say', g, 'first', 'message');
    await as(bob, 'say', g, 'from', 'bob');
    await as(alice, 'say', g, 'helo', 'wrold');

    let r = await as(alice, 'history', g);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l).toMatch(/^ *\d{4,} \d\d:\d\d:\d\d #\S+ \S+: /);
    const first = shortIdOf(r.stdout, 'first message');
    const bobs = shortIdOf(r.stdout, 'from bob');

    r = await as(alice, 'edit', g, 'last', 'hello', 'world');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d #${g} ${alice} edited: hello world\\n$`));
    r = await as(alice, 'edit', g, first, '--', '-first-', 'message');
    expect(r.stdout).toContain(`${alice} edited ${first}: -first- message`);

    // Not yours: refused by the hub (exit 1), in words.
    r = await as(alice, 'edit', g, bobs, 'mine now');
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toBe('next-chat: you can edit only your own messages\n');
    // bob is a plain member: only his own (alice owns the room, so she could delete his).
    r = await as(bob, 'delete', g, first);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`you can delete only your own messages; the owner or an admin of group '${g}' can delete anyone's`);
    expect(bobs).toMatch(/^\d{4,}$/);

    r = await as(alice, 'delete', g, 'last');
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toMatch(new RegExp(`#${g} \\* message deleted \\(${alice}, sent \\d\\d:\\d\\d:\\d\\d\\)\\n$`));
    r = await as(alice, 'delete', g, 'last');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`your last message in #${g} is deleted already`);

    r = await as(bob, 'history', g);
    expect(r.stdout).toMatch(new RegExp(`${first} \\d\\d:\\d\\d:\\d\\d #${g} ${alice}: -first- message \\(edited\\)\\n`));
    expect(r.stdout).toMatch(new RegExp(`#${g} ${bob}: from bob\\n`));
    expect(r.stdout).toMatch(new RegExp(`#${g} ${alice}: \\(deleted\\)\\n$`));
    expect(r.stdout).not.toContain('hello world');

    // Usage errors exit 2 without asking the hub to change anything.
    r = await as(alice, 'edit', g, '99999999', 'x');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no message in #${g} has the short id '99999999'`);
    r = await as(alice, 'edit', g, 'last');
    expect(r.code).toBe(2);
    r = await as(alice, 'delete', g);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`if you mean it: delete ${g} --yes`);
  });

  it('--json edit and delete print the message as it is now', async () => {
    const g = gid('oneshot-json');
    const alice = uid('alice');
    await as(alice, 'create', g);
    await as(alice, 'join', g);
    await as(alice, 'say', g, 'v1');
    let r = await as(alice, '--json', 'edit', g, 'last', 'v2');
    const edited = (JSON.parse(r.stdout) as { message: Message }).message;
    expect(edited).toMatchObject({ groupId: g, authorId: alice, text: 'v2', editedAt: expect.any(String) });
    r = await as(alice, '--json', 'delete', g, edited.id);
    expect((JSON.parse(r.stdout) as { message: Message }).message).toMatchObject({ id: edited.id, text: '', deletedAt: expect.any(String) });
  });

  it('conversations lists each conversation with its unread count, latest activity first', async () => {
    const quiet = gid('conv-quiet');
    const busy = gid('conv-busy');
    const carol = uid('carol');
    const dave = uid('dave');
    for (const g of [quiet, busy]) {
      await as(dave, 'create', g);
      await as(dave, 'join', g);
      await as(carol, 'join', g);
    }
    await as(dave, 'say', busy, 'one');
    await as(dave, 'say', busy, 'two');
    const r = await as(carol, 'conversations');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual([
      expect.stringMatching(new RegExp(`^#${busy}  2 unread — \\d\\d:\\d\\d:\\d\\d ${dave}: two$`)),
      `#${quiet}  all read — no messages yet`,
      '2 conversations, 2 unread',
    ]);
    const json = JSON.parse((await as(carol, '--json', 'conversations')).stdout) as { conversations: { group: { id: string }; unread: number }[] };
    expect(json.conversations.map((c) => [c.group.id, c.unread])).toEqual([
      [busy, 2],
      [quiet, 0],
    ]);
  });
});

describe('interactive edit, delete and unread counts', () => {
  it('piped: history ids, edit and delete, live changes printed, and what is shown in the group in use is marked read', async () => {
    const g = gid('repl-edit');
    const erin = uid('erin');
    const frank = uid('frank');
    const f = await sdk(frank);
    await f.createGroup(g);
    await f.join(g);
    const s = session(['--user', erin]);
    await s.expect('* connected to');
    s.line(`join ${g}`);
    await s.expect(`* lines you type now go to #${g}`);
    s.line('my frist line');
    await s.expect(`#${g} ${erin}: my frist line`);
    s.line('edit my first line');
    await s.expect(`#${g} ${erin} edited: my first line`);

    const fm = await f.send(g, 'a message from frank');
    await s.expect(`#${g} ${frank}: a message from frank`);
    s.line(`history ${g}`);
    const shown = await s.expect(`${frank}: a message from frank`);
    expect(shown).toMatch(new RegExp(`\\d{4,} \\d\\d:\\d\\d:\\d\\d #${g} ${erin}: my first line \\(edited\\)`));
    const frankId = shortIdOf(shown, 'a message from frank');

    // frank's own changes reach the session live, named by the short id history gave.
    await f.editMessage(g, fm.id, 'a message from frank, edited');
    await s.expect(`#${g} ${frank} edited ${frankId}: a message from frank, edited`);
    await f.deleteMessage(g, fm.id);
    await s.expect(`#${g} * message ${frankId} deleted (${frank}, sent`);
    s.line(`edit ${frankId} not mine`);
    await s.expect('! you can edit only your own messages');
    s.line('delete');
    await s.expect(`#${g} * message `);
    await s.expect(`deleted (${erin}, sent`);

    // What arrived in the group in use was on screen: erin's marker follows it.
    const last = await f.send(g, 'read me');
    await s.expect(`#${g} ${frank}: read me`);
    const e = await sdk(erin);
    for (let i = 0; i < 200; i++) {
      const c = (await e.conversations()).conversations.find((x) => x.group.id === g);
      if (c?.readUpTo === last.id) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect((await e.conversations()).conversations.find((x) => x.group.id === g)).toMatchObject({ readUpTo: last.id, unread: 0 });
    s.line('conversations');
    await s.expect(new RegExp(`#${g}  all read — \\d\\d:\\d\\d:\\d\\d ${frank}: read me`));
    s.line('bye');
    expect(await s.exited).toBe(0);
  });

  it('on a terminal: the prompt counts the unread of the other conversations', async () => {
    const lobby = gid('pty-lobby');
    const side = gid('pty-side');
    const gina = uid('gina');
    const hank = uid('hank');
    const h = await sdk(hank);
    for (const g of [lobby, side]) {
      await h.createGroup(g);
      await h.join(g);
    }
    const s = session(['--user', gina], { pty: true });
    await s.expect('* connected to');
    s.line(`join ${side}`);
    await s.expect(`joined #${side}`);
    s.line(`join ${lobby}`);
    await s.expect(`joined #${lobby}`);
    s.line(`use ${lobby}`);
    await s.expect(`${gina}#${lobby}> `);
    await h.send(side, 'psst');
    await s.expect(`#${side} ${hank}: psst`);
    await s.expect(`${gina}#${lobby} (1 unread)> `);
    await h.send(side, 'psst again');
    await s.expect(`${gina}#${lobby} (2 unread)> `);
    // In the group in use: on screen, so read, and not counted.
    await h.send(lobby, 'hello');
    await s.expect(`#${lobby} ${hank}: hello`);
    s.line(`use ${side}`);
    await s.expect(`* #${side}: 2 unread; see them with: history ${side} 2`);
    s.line(`history ${side} 2`);
    await s.expect(`${hank}: psst again`);
    // history marked side read: back in lobby, nothing is left to count.
    s.line(`use ${lobby}`);
    await s.expect(`* lines you type now go to #${lobby}`);
    await s.expect(`${gina}#${lobby}> `);
    expect(s.pending).not.toContain('unread)');
    s.line('bye');
    expect(await s.exited).toBe(0);
  });
});
