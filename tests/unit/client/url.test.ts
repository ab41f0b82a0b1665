import { describe, expect, it } from 'vitest';
import { normalizeHubUrl } from '../../../packages/client/src/url.js';

describe('normalizeHubUrl', () => {
  it('completes what a person types', () => {
    expect(normalizeHubUrl('localhost:5000')).toBe('ws://localhost:5000/next-chat');
    expect(normalizeHubUrl('ws://h:1')).toBe('ws://h:1/next-chat');
    expect(normalizeHubUrl('https://chat.example.com')).toBe('wss://chat.example.com/next-chat');
    expect(normalizeHubUrl('ws://h:1/custom/path')).toBe('ws://h:1/custom/path');
  });

  it('refuses what is not a ws URL', () => {
    expect(() => normalizeHubUrl('')).toThrow(/empty/);
    expect(() => normalizeHubUrl('ftp://x')).toThrow(/ws:\/\//);
    expect(() => normalizeHubUrl('ws://')).toThrow(/not a URL/);
  });
});
