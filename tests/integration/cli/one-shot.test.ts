/**
 * `next-chat --url ... --user ... <command>` as scripts use it: output, --json,
 * exit codes (0 ok, 1 refused by the hub, 2 usage, 3 connection) and the
 * error sentences.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { runCli } from './cli-process.js';

let hub: HubProcess;
let as: (user: string, ...args: string[]) => ReturnType<typeof runCli>;
let n = 0;
const gid = (name: string) => `${name}-${process.pid}-${n++}`;

beforeAll(async () => {
  hub = await startHub();
  as = (user, ...args) => runCli(['--url', `127.0.0.1:${hub.port}`, '--user', user, ...args]);
});
afterAll(async () => {
  await hub?.stop();
});

describe('one-shot commands', () => {
  it('every command, with readable output and exit code 0', async () => {
    const g = gid('oneshot');
    let r = await as('alice', 'create', g);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(`created group #${g}; join it with: join ${g}\n`);

    r = await as('alice', 'join', g);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`joined #${g} (1 member); no messages yet`);

    r = await as('alice', 'say', g, 'hello', 'from', 'a', 'script');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d #${g} alice: hello from a script\\n$`));

    // Words are kept as typed (no number parsing); text after -- may start with a dash.
    r = await as('alice', 'say', g, '007', '1e3');
    expect(r.stdout).toContain('alice: 007 1e3');
    r = await as('alice', 'say', g, '--', '-1.0', '--is-not-an-option');
    expect(r.stdout).toContain('alice: -1.0 --is-not-an-option');

    await as('bob', 'join', g);
    r = await as('bob', 'history', g, '5');
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toContain(`#${g} alice: hello from a script`);

    r = await as('bob', 'members', g);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/alice \(owner, offline\)/);
    expect(r.stdout).toMatch(/● bob/);
    expect(r.stdout).toContain('2 members, 1 online');

    r = await as('bob', 'list', g.slice(0, 8));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`#${g}  2 members, created by alice`);

    r = await as('bob', 'leave', g);
    expect(r).toMatchObject({ code: 0, stdout: `left #${g}\n` });
    r = await as('bob', 'leave', g);
    expect(r).toMatchObject({ code: 0, stdout: `you were not a member of #${g}; nothing to leave\n` });
  });

  it('--json prints the result as JSON', async () => {
    const g = gid('json');
    const created = JSON.parse((await as('alice', '--json', 'create', g)).stdout) as { group: { id: string } };
    expect(created.group.id).toBe(g);
    const joined = JSON.parse((await as('alice', '--json', 'join', g)).stdout) as { complete: boolean; history: unknown[] };
    expect(joined).toMatchObject({ complete: true, history: [] });
    const sent = JSON.parse((await as('alice', '--json', 'say', g, 'hi')).stdout) as { message: { id: string; text: string } };
    expect(sent.message.text).toBe('hi');
    const hist = JSON.parse((await as('alice', '--json', 'history', g)).stdout) as { messages: { id: string }[] };
    expect(hist.messages.map((m) => m.id)).toEqual([sent.message.id]);
    const list = JSON.parse((await as('alice', '--json', 'list', g)).stdout) as { groups: { id: string }[] };
    expect(list.groups.map((x) => x.id)).toEqual([g]);

    const err = await as('alice', '--json', 'history', gid('nope'));
    expect(err.code).toBe(1);
    expect(JSON.parse(err.stderr)).toMatchObject({ error: { code: 4004, reason: 'group_not_found', exitCode: 1 } });
  });

  it('turns protocol errors into sentences that say what to do, exit code 1', async () => {
    const g = gid('errs');
    let r = await as('alice', 'join', g);
    expect(r).toMatchObject({ code: 1, stdout: '', stderr: `next-chat: group '${g}' does not exist; create it with: create ${g}\n` });
    await as('alice', 'create', g);
    r = await as('alice', 'create', g);
    expect(r).toMatchObject({ code: 1, stderr: `next-chat: group '${g}' already exists; join it with: join ${g}\n` });
    r = await as('alice', 'say', g, 'hi');
    expect(r).toMatchObject({ code: 1, stderr: `next-chat: you are not a member of group '${g}'; join it first with: join ${g}\n` });
    r = await as('alice', 'members', g);
    expect(r.stderr).toContain(`join it first with: join ${g}`);
    r = await as('alice', 'join', 'no/slashes');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("'no/slashes' is not a valid group name; a group name is 1 to 64 letters");
    await as('alice', 'join', g);
    r = await as('alice', 'say', g, '  ');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the message must contain at least one visible character');
  });

  it('usage errors exit with 2 and point to --help', async () => {
    let r = await as('alice', 'lst');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown argument: lst');
    expect(r.stderr).toContain('Run next-chat --help for the usage.');
    r = await runCli(['list']);
    expect(r).toMatchObject({ code: 2 });
    expect(r.stderr).toContain('no hub given; pass --url ws://HOST:5000 or set NEXT_CHAT_URL');
    r = await runCli(['--url', `127.0.0.1:${hub.port}`, 'list']);
    expect(r.stderr).toContain('no user given');
    r = await as('alice', 'history', 'x', 'many');
    expect(r.code).toBe(2);
    r = await as('alice', 'say', 'x');
    expect(r).toMatchObject({ code: 2 });
    expect(r.stderr).toContain('nothing to say; usage: say GROUP TEXT');
    r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['list [prefix]', 'create <group>', 'join <group>', 'leave <group>', 'say <group> [text..]', 'history <group> [n]', 'members <group>', 'Exit codes']) {
      expect(r.stdout).toContain(c);
    }
    r = await runCli(['say', '--help']);
    expect(r.stdout).toContain('Examples:');
  });

  it('takes the hub and user from NEXT_CHAT_URL and NEXT_CHAT_USER', async () => {
    const r = await runCli(['list'], { NEXT_CHAT_URL: `ws://127.0.0.1:${hub.port}/next-chat`, NEXT_CHAT_USER: 'env-user' });
    expect(r.code).toBe(0);
  });

  it('connection problems exit with 3 and say so plainly', async () => {
    let r = await runCli(['--url', 'ws://127.0.0.1:1', '--user', 'alice', 'list']);
    expect(r).toMatchObject({ code: 3, stdout: '' });
    expect(r.stderr).toBe('next-chat: cannot reach the hub at ws://127.0.0.1:1/next-chat: connection refused; is it running on that port?\n');
    r = await as('bad user!', 'list');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/refused this identity .*; check the user id, or pass a valid --token/);
  });
});
