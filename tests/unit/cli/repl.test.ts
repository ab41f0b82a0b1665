import { describe, expect, it } from 'vitest';
import { splitWord } from '../../../packages/cli/src/repl.js';

describe('splitWord', () => {
  it('keeps the rest of the line verbatim (spaces inside a message survive)', () => {
    expect(splitWord('say lobby  two  spaces ')).toEqual(['say', 'lobby  two  spaces ']);
    expect(splitWord('  help')).toEqual(['help', '']);
    expect(splitWord('')).toEqual(['', '']);
  });
});
