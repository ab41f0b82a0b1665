import { describe, expect, it } from 'vitest';
import { clean, formatMember, formatMessage, makeStyle, shouldColor, visibleLength } from '../../../packages/cli/src/format.js';

const plain = makeStyle(false);
const m = { id: '1-0', groupId: 'lobby', authorId: 'alice', text: 'hello', sentAt: '2026-11-22T10:00:01.000Z' };

describe('colours', () => {
  it('only on a TTY, never with a non-empty NO_COLOR, and an explicit flag wins', () => {
    expect(shouldColor({ isTTY: true }, {})).toBe(true);
    expect(shouldColor({ isTTY: false }, {})).toBe(false);
    expect(shouldColor({}, {})).toBe(false);
    expect(shouldColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(shouldColor({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(shouldColor({ isTTY: false }, { NO_COLOR: '1' }, true)).toBe(true);
    expect(shouldColor({ isTTY: true }, {}, false)).toBe(false);
  });

  it('plain style adds nothing; colour style adds SGR that visibleLength ignores', () => {
    expect(plain.red('x')).toBe('x');
    const c = makeStyle(true);
    expect(c.red('x')).toBe('\x1b[31mx\x1b[39m');
    expect(visibleLength(c.user('alice'))).toBe(5);
    expect(c.user('alice')).toBe(c.user('alice')); // stable per user
  });
});

describe('messages', () => {
  it('show time, group and author', () => {
    expect(formatMessage(m, plain)).toMatch(/^\d\d:\d\d:\d\d #lobby alice: hello$/);
  });

  it('indent continuation lines under the text', () => {
    const out = formatMessage({ ...m, text: 'one\ntwo' }, plain).split('\n');
    expect(out[1]).toBe(`${' '.repeat(out[0].indexOf('one'))}two`);
  });

  it('cannot drive the terminal', () => {
    expect(clean('a\x1b[2Jb\x07c\rd\te')).toBe('a^[[2Jb^Gcd\te');
    expect(formatMessage({ ...m, text: '\x1b]0;pwned\x07' }, plain)).not.toMatch(/[\x00-\x08\x1b\x7f]/);
  });

  it('members show who is online', () => {
    expect(formatMember({ userId: 'bob', joinedAt: '', online: true }, plain)).toBe('● bob');
    expect(formatMember({ userId: 'bob', joinedAt: '', online: false }, plain)).toBe('○ bob (offline)');
  });
});
