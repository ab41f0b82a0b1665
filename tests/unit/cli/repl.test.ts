import { describe, expect, it } from 'vitest';
import { isMessageSoFar, splitWord } from '../../../packages/cli/src/repl.js';

describe('splitWord', () => {
  it('keeps the rest of the line verbatim (spaces inside a message survive)', () => {
    expect(splitWord('say lobby  two  spaces ')).toEqual(['say', 'lobby  two  spaces ']);
    expect(splitWord('  help')).toEqual(['help', '']);
    expect(splitWord('')).toEqual(['', '']);
  });
});

describe('isMessageSoFar (a half-typed line worth a typing signal)', () => {
  it('is a plain line whose first word is not, and can no longer become, a command', () => {
    for (const line of ['hell', 'hello there', 'ok', 'x', '  yo', 'Joking aside', 'kick-off at five', 'said so']) expect(isMessageSoFar(line), line).toBe(true);
  });

  it('is not a command, a /command, a word that may still become one, or nothing', () => {
    for (const line of ['', '   ', 'h', 'he', 'hel', 'hi', 'hist', 'j', 'joi', 'join', 'join lobby', 'JOIN lobby', 'say lobby hi', 'kick off at five', 'bye', '/', '/xyz', ' /hello', 'ex', 'b']) {
      expect(isMessageSoFar(line), JSON.stringify(line)).toBe(false);
    }
  });
});
