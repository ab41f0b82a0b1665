import { describe, expect, it } from 'vitest';
import { compareMessageIds, ErrorCode, parseMessageId, parseParams, RpcError, textProblem, clientMessageIdProblem } from '@next-chat/core';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RpcError);
    expect((e as RpcError).code).toBe(ErrorCode.InvalidParams);
    return (e as RpcError).data.field;
  }
  throw new Error('expected invalid params');
}

describe('parseParams', () => {
  it('applies defaults and ignores unknown fields', () => {
    expect(parseParams('group.list', undefined)).toEqual({ limit: 50 });
    expect(parseParams('group.join', { groupId: 'a', extra: 1 })).toEqual({ groupId: 'a', limit: 50 });
  });

  it('names the bad field', () => {
    expect(fieldOf(() => parseParams('group.create', {}))).toBe('groupId');
    expect(fieldOf(() => parseParams('group.list', { limit: 500 }))).toBe('limit');
    expect(fieldOf(() => parseParams('group.join', { groupId: 'a', since: '1-x' }))).toBe('since');
    expect(fieldOf(() => parseParams('message.send', { groupId: 'a', text: 5 }))).toBe('text');
    expect(fieldOf(() => parseParams('group.list', []))).toBe('params');
  });

  it('says "is required" for a missing field', () => {
    try {
      parseParams('message.send', { groupId: 'a' });
    } catch (e) {
      expect((e as RpcError).message).toMatch(/'text' is required/);
    }
  });
});

describe('textProblem', () => {
  it('counts code points, not UTF-16 units', () => {
    expect(textProblem('😀'.repeat(4000))).toBeNull();
    expect(textProblem('😀'.repeat(4001))).toMatch(/at most 4000/);
    expect(textProblem('a'.repeat(4001))).toMatch(/at most 4000/);
  });
  it('refuses empty, blank and lone surrogates', () => {
    expect(textProblem('')).not.toBeNull();
    expect(textProblem('\u00a0\u2003\n')).not.toBeNull();
    expect(textProblem('a\udc00')).not.toBeNull();
  });
  it('refuses text with nothing visible, by Unicode property, and keeps what shows', () => {
    for (const t of ['\u200b', '\u200c\u200d', '\u2060', '\u00ad', '\u3164', '\uffa0', '\u2800', '\u0301', '\u0301\u0302', '\ufe0f', '\u202e', '\u{1d173}', '\u{e0041}', '\u034f', '\u180e']) {
      expect(textProblem(t), JSON.stringify(t)).toMatch(/visible/);
    }
    for (const t of ['a', 'e\u0301', '\u{1f600}', '\u2764\ufe0f', '\u4e2d', '\ue000', '\u{1f3f3}\ufe0f\u200d\u{1f308}', 'x\u200b', '\u202eabc', '.']) {
      expect(textProblem(t), JSON.stringify(t)).toBeNull();
    }
  });
  it('clientMessageId must be 1-64 characters of well-formed Unicode', () => {
    expect(clientMessageIdProblem('abc')).toBeNull();
    expect(clientMessageIdProblem('\u{1f600}')).toBeNull();
    expect(clientMessageIdProblem('')).not.toBeNull();
    expect(clientMessageIdProblem('x'.repeat(65))).not.toBeNull();
    expect(clientMessageIdProblem('\ud800')).toMatch(/Unicode/);
  });
});

describe('message ids', () => {
  it('parse and compare numerically, not lexically', () => {
    expect(parseMessageId('1700000000000-0')).toEqual({ ms: 1700000000000, seq: 0 });
    expect(parseMessageId('01-0')).toBeNull();
    expect(parseMessageId('1-')).toBeNull();
    expect(parseMessageId('99999999999999999-0')).toBeNull();
    expect(compareMessageIds('9-0', '10-0')).toBeLessThan(0);
    expect(compareMessageIds('10-2', '10-10')).toBeLessThan(0);
    expect(compareMessageIds('10-10', '10-10')).toBe(0);
  });
});
