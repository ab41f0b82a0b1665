import { describe, expect, it } from 'vitest';
import { ConfigError, envName, parseConfig } from '../../../packages/server/src/config.js';

describe('parseConfig', () => {
  it('has the documented defaults', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({ port: 5000, host: '0.0.0.0', authMode: 'trust', maxGroupMembers: 10000, rateLimit: 50, maxFrameBytes: 65536 });
    expect(c.redisUrl).toBeUndefined();
    expect(Object.isFrozen(c)).toBe(true);
  });
  it('reads NEXT_CHAT_* and lets flags win', () => {
    expect(parseConfig({ NEXT_CHAT_PORT: '0', NEXT_CHAT_RATE_LIMIT: '0' }).port).toBe(0);
    expect(parseConfig({ NEXT_CHAT_PORT: '1' }, { port: '2' }).port).toBe(2);
    expect(envName('maxGroupMembers')).toBe('NEXT_CHAT_MAX_GROUP_MEMBERS');
  });
  it('lists every problem with the variable name and the value', () => {
    try {
      parseConfig({ NEXT_CHAT_PORT: 'abc', NEXT_CHAT_AUTH_MODE: 'magic', NEXT_CHAT_REDIS_URL: 'http://x' });
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as Error).message;
      expect(msg).toContain("NEXT_CHAT_PORT must be a port number, got 'abc'");
      expect(msg).toContain('NEXT_CHAT_AUTH_MODE');
      expect(msg).toContain('NEXT_CHAT_REDIS_URL');
    }
  });
  it('rejects bad combinations', () => {
    expect(() => parseConfig({ NEXT_CHAT_AUTH_MODE: 'jwt' })).toThrow(/NEXT_CHAT_JWT_SECRET/);
    expect(() => parseConfig({ NEXT_CHAT_MYSQL_URL: 'mysql://root@localhost/x' })).toThrow(/needs NEXT_CHAT_REDIS_URL/);
  });
});
