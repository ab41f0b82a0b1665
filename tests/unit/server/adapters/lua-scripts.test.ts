import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dir = new URL('../../../../packages/server/lua/', import.meta.url);

describe('Lua scripts', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.lua'));

  it('are named <camelName>-<numberOfKeys>.lua and document KEYS, ARGV and returns', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) {
      const m = /^([a-z][A-Za-z]*)-(\d+)\.lua$/.exec(f);
      expect(m, f).not.toBeNull();
      const src = readFileSync(new URL(f, dir), 'utf8');
      const header = src.slice(0, src.indexOf(']]'));
      const n = Number(m![2]);
      for (let i = 1; i <= n; i++) expect(header, `${f} KEYS[${i}]`).toContain(`KEYS[${i}]`);
      expect(header, f).toContain('ARGV[1]');
      expect(header, f).toMatch(/Returns/);
      // No key access beyond the declared count.
      const used = [...src.matchAll(/KEYS\[(\d+)\]/g)].map((x) => Number(x[1]));
      expect(Math.max(...used), f).toBe(n);
    }
  });
});
