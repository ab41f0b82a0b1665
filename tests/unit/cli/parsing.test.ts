/**
 * How the protocol 1.1 commands read their words: the one-shot parser
 * (yargs, through buildParser with stand-in handlers that only record argv),
 * the REPL's line parser (quotes, flags, exact word counts), and ban
 * durations.
 */
import { describe, expect, it } from 'vitest';
import { commands } from '../../../packages/cli/src/commands/index.js';
import * as del from '../../../packages/cli/src/commands/delete.js';
import { formatDuration, MAX_BAN_SEC, parseDuration } from '../../../packages/cli/src/duration.js';
import { parseFlags, tokenize } from '../../../packages/cli/src/line-args.js';
import { HELP, LINE_SPECS, parseCommandLine } from '../../../packages/cli/src/repl.js';
import { buildParser } from '../../../packages/cli/src/run.js';
import { settingsParams } from '../../../packages/cli/src/settings.js';

/** Parses `argv` as the real program would and returns what the command's handler got. */
async function parsed(argv: string[]): Promise<Record<string, unknown>> {
  let got: Record<string, unknown> | undefined;
  const standIns = commands.map((c) => ({ ...c, handler: (a: Record<string, unknown>) => void (got = a) }));
  await buildParser(argv, {}, standIns).parseAsync();
  if (!got) throw new Error('no handler ran');
  return got;
}

describe('one-shot commands of protocol 1.1', () => {
  it('create takes --private, --title, --topic and --capacity, keeping words as typed', async () => {
    const a = await parsed(['create', 'design', '--private', '--title', 'Design team', '--topic', '007', '--capacity', '20']);
    expect(a).toMatchObject({ group: 'design', private: true, title: 'Design team', topic: '007', capacity: 20 });
    expect(settingsParams(a)).toEqual({ visibility: 'private', title: 'Design team', topic: '007', capacity: 20 });
    const plain = await parsed(['create', 'lobby']);
    expect(settingsParams(plain)).toEqual({});
  });

  it('create has no --public (public is the default); set has both, and not together', async () => {
    await expect(parsed(['create', 'x', '--public'])).rejects.toThrow(/Unknown argument: public/);
    expect(settingsParams(await parsed(['set', 'x', '--public']))).toEqual({ visibility: 'public' });
    await expect(parsed(['set', 'x', '--private', '--public'])).rejects.toThrow(/mutually exclusive/);
    expect(settingsParams(await parsed(['set', 'x', '--title', '']))).toEqual({ title: '' });
  });

  it('info, role, invite, kick, unban, bans, decline, dm, block, unblock take their positionals', async () => {
    expect(await parsed(['info', 'g'])).toMatchObject({ group: 'g' });
    expect(await parsed(['role', 'g', 'bob', 'admin'])).toMatchObject({ group: 'g', who: 'bob', role: 'admin' });
    await expect(parsed(['role', 'g', 'bob', 'king'])).rejects.toThrow(/Choices: "owner", "admin", "member"/);
    expect(await parsed(['invite', 'g', 'bob'])).toMatchObject({ group: 'g', who: 'bob' });
    expect(await parsed(['kick', 'g', 'bob'])).toMatchObject({ group: 'g', who: 'bob' });
    expect(await parsed(['unban', 'g', 'bob'])).toMatchObject({ group: 'g', who: 'bob' });
    expect(await parsed(['bans', 'g'])).toMatchObject({ group: 'g' });
    expect(await parsed(['decline', 'g'])).toMatchObject({ group: 'g' });
    expect(await parsed(['dm', 'bob'])).toMatchObject({ who: 'bob', last: 10 });
    expect(await parsed(['block', 'bob'])).toMatchObject({ who: 'bob' });
    expect(await parsed(['unblock', 'bob'])).toMatchObject({ who: 'bob' });
    expect(await parsed(['invitations'])).toMatchObject({ _: ['invitations'] });
    expect(await parsed(['blocked'])).toMatchObject({ _: ['blocked'] });
    await expect(parsed(['kick', 'g'])).rejects.toThrow(/Not enough non-option arguments/);
  });

  it('the person a command is about never overwrites --user (the caller)', async () => {
    expect(await parsed(['--user', 'alice', 'kick', 'g', 'bob'])).toMatchObject({ user: 'alice', who: 'bob' });
    expect(await parsed(['--user', 'alice', 'dm', 'bob'])).toMatchObject({ user: 'alice', who: 'bob' });
  });

  it('ban takes --for and --reason as strings', async () => {
    expect(await parsed(['ban', 'g', 'carol', '--for', '1h30m', '--reason', 'spam links'])).toMatchObject({ group: 'g', who: 'carol', for: '1h30m', reason: 'spam links' });
    const forever = await parsed(['ban', 'g', 'carol']);
    expect(forever.for).toBeUndefined();
  });

  it('delete takes --yes; without it the real handler refuses before connecting', async () => {
    expect(await parsed(['delete', 'g', '--yes'])).toMatchObject({ group: 'g', yes: true });
    // No --url: had it tried to connect, the error would be "no hub given".
    await expect(del.handler({ group: 'g', _: [], $0: 'next-chat', json: false, timeout: 10, maxReconnectDelay: 30, 'max-reconnect-delay': 30 })).rejects.toMatchObject({
      name: 'UsageError',
      message: expect.stringMatching(/^deleting #g removes it for everyone.*delete g --yes$/),
    });
  });

  it('settingsParams refuses a bad capacity and contradicting visibility', () => {
    expect(() => settingsParams({ capacity: 1 })).toThrow("--capacity must be a whole number of at least 2, got '1'");
    expect(() => settingsParams({ capacity: 'lots' })).toThrow(/got 'lots'/);
    expect(settingsParams({ capacity: '12' })).toEqual({ capacity: 12 });
    expect(() => settingsParams({ private: true, public: true })).toThrow(/contradict/);
  });
});

describe('REPL lines', () => {
  it('tokenize keeps quoted spaces and backslash escapes', () => {
    expect(tokenize(`set design --title "Design team" --topic 'all "things"'`)).toEqual(['set', 'design', '--title', 'Design team', '--topic', 'all "things"']);
    expect(tokenize('a\\ b "c\\"d" \'e\\f\' ""')).toEqual(['a b', 'c"d', 'e\\f', '']);
    expect(tokenize('  spaced   out  ')).toEqual(['spaced', 'out']);
    expect(() => tokenize('say "unclosed')).toThrow('a double quote is not closed');
  });

  it('parseFlags separates flags, takes --x=v, refuses unknown flags and missing values', () => {
    const spec = { boolean: ['private'], string: ['title'] };
    expect(parseFlags(['g', '--private', '--title', 'T'], spec)).toEqual({ positionals: ['g'], flags: { private: true, title: 'T' } });
    expect(parseFlags(['g', '--title=A B'], spec)).toEqual({ positionals: ['g'], flags: { title: 'A B' } });
    expect(parseFlags(['g', '--', '--private'], spec)).toEqual({ positionals: ['g', '--private'], flags: {} });
    expect(() => parseFlags(['g', '--nope'], spec)).toThrow('unknown option --nope; this command takes --private, --title');
    expect(() => parseFlags(['g', '--title'], spec)).toThrow('--title needs a value');
    expect(() => parseFlags(['g', '--private=yes'], spec)).toThrow('--private takes no value');
  });

  it('each new command checks its word count, so a chat line that starts with its name is not run', () => {
    expect(parseCommandLine('kick', 'lobby carol')).toEqual({ positionals: ['lobby', 'carol'], flags: {} });
    expect(() => parseCommandLine('kick', 'off at five')).toThrow('usage: kick GROUP USER');
    expect(() => parseCommandLine('ban', 'him')).toThrow(/^usage: ban GROUP USER/);
    expect(() => parseCommandLine('invitations', 'please')).toThrow('usage: invitations');
    expect(() => parseCommandLine('dm', 'me later')).toThrow('usage: dm USER');
    expect(parseCommandLine('ban', 'lobby carol --for 2h --reason "too many links"').flags).toEqual({ for: '2h', reason: 'too many links' });
    expect(parseCommandLine('delete', 'old --yes')).toEqual({ positionals: ['old'], flags: { yes: true } });
    expect(parseCommandLine('create', 'design --private --capacity 20 --title "Design team"').flags).toEqual({ private: true, capacity: '20', title: 'Design team' });
    expect(parseCommandLine('set', 'design --public').flags).toEqual({ public: true });
    expect(parseCommandLine('role', 'design bob owner').positionals).toEqual(['design', 'bob', 'owner']);
    expect(() => parseCommandLine('create', 'x --color')).toThrow(/^unknown option --color; .*; usage: create GROUP/);
  });

  it('every command with a line spec is in the help, and every help entry is a known command', () => {
    const helpWords = HELP.map(([c]) => c.split(' ')[0]);
    for (const cmd of Object.keys(LINE_SPECS)) expect(helpWords, cmd).toContain(cmd);
    for (const [usage] of HELP) {
      const word = usage.split(' ')[0];
      if (LINE_SPECS[word]) expect(usage, word).toBe(LINE_SPECS[word].usage.replace('"T"', 'T'));
    }
  });
});

describe('ban durations', () => {
  it.each([
    ['90s', 90],
    ['10m', 600],
    ['2h', 7200],
    ['1d', 86_400],
    ['2w', 1_209_600],
    ['1h30m', 5400],
    ['1D', 86_400],
  ])('%s is %i s', (text, sec) => {
    expect(parseDuration(text)).toBe(sec);
  });

  it.each(['10', '10x', 'm', '', '1.5h', '-1h', '0m', '11000d'])("refuses '%s'", (text) => {
    expect(() => parseDuration(text)).toThrow(/duration|no time|ten years/);
  });

  it('formats back in the largest units', () => {
    expect(formatDuration(600)).toBe('10m');
    expect(formatDuration(5400)).toBe('1h30m');
    expect(formatDuration(90_061)).toBe('1d1h1m1s');
    expect(formatDuration(MAX_BAN_SEC)).toBe('521w3d');
    expect(formatDuration(0)).toBe('0s');
  });
});
