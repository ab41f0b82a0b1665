/**
 * Words and flags of an interactive line, the way a shell would split them:
 * `set design --title "Design team" --private` gives the positionals
 * ['design'] and the flags {title: 'Design team', private: true}. One-shot
 * commands get the same flags from yargs; this is the REPL's small twin.
 */
import { UsageError } from './errors-to-text.js';

/**
 * Splits on white space; "double" and 'single' quotes keep spaces, a
 * backslash keeps the next character (outside single quotes).
 */
export function tokenize(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) throw new UsageError(`a ${quote === '"' ? 'double' : 'single'} quote is not closed`);
  if (inWord) words.push(word);
  return words;
}

export interface FlagSpec {
  /** Flags without a value (`--private`). */
  boolean?: readonly string[];
  /** Flags that take the next word as their value (`--title T`, `--title=T`). */
  string?: readonly string[];
}

export interface ParsedLine {
  positionals: string[];
  flags: Record<string, string | boolean>;
}

/** Separates flags from positionals; unknown flags and missing values are usage errors. `--` ends the flags. */
export function parseFlags(words: readonly string[], spec: FlagSpec): ParsedLine {
  const booleans = new Set(spec.boolean ?? []);
  const strings = new Set(spec.string ?? []);
  const positionals: string[] = [];
  const flags: Record<string, string | boolean> = {};
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === '--') {
      positionals.push(...words.slice(i + 1));
      break;
    }
    if (!w.startsWith('--') || w.length === 2) {
      positionals.push(w);
      continue;
    }
    const eq = w.indexOf('=');
    const name = w.slice(2, eq < 0 ? undefined : eq);
    if (booleans.has(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
    } else if (strings.has(name)) {
      const value = eq >= 0 ? w.slice(eq + 1) : words[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags[name] = value;
    } else {
      const known = [...booleans, ...strings].map((f) => `--${f}`);
      throw new UsageError(`unknown option --${name}${known.length > 0 ? `; this command takes ${known.join(', ')}` : ''}`);
    }
  }
  return { positionals, flags };
}
