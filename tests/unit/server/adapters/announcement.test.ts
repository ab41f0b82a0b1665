import { describe, expect, it } from 'vitest';
import { parseAnnouncement } from '../../../../packages/server/src/adapters/redis/notify-reader.js';

describe('parseAnnouncement', () => {
  it('reads the entry a publish announces', () => {
    const e = parseAnnouncement(JSON.stringify({ i: '1700000000000-3', n: 12, a: 'alice', t: 'hi\nthere', s: '2026-11-23T10:00:00.000Z', c: '' }));
    expect(e?.[0]).toBe('1700000000000-3');
    expect(e?.n).toBe(12);
    expect(e?.[1]).toEqual(['a', 'alice', 't', 'hi\nthere', 's', '2026-11-23T10:00:00.000Z', 'c', '', 'n', '12']);
  });
  it('takes a bare id or anything malformed as a plain wake-up', () => {
    expect(parseAnnouncement('1700000000000-3')).toBeUndefined();
    expect(parseAnnouncement('{not json')).toBeUndefined();
    expect(parseAnnouncement(JSON.stringify({ i: 'x', n: 1, a: 'a', t: 't', s: 's' }))).toBeUndefined();
    expect(parseAnnouncement(JSON.stringify({ i: '1-1', a: 'a', t: 't', s: 's' }))).toBeUndefined();
  });
});
