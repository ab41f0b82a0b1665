import { PROTOCOL_PATH, DEFAULT_PORT } from '@next-chat/core';

/**
 * Turns what a person types into the hub's WebSocket URL:
 * `localhost:5000` → `ws://localhost:5000/next-chat`, `http(s)://` → `ws(s)://`,
 * a URL without a path gets `/next-chat`. Throws a TypeError naming the input
 * when it is not a URL at all.
 */
export function normalizeHubUrl(input: string): string {
  let s = input.trim();
  if (s === '') throw new TypeError('The hub URL is empty; give one like ws://localhost:5000/next-chat.');
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) s = `ws://${s}`;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new TypeError(`'${input}' is not a URL; give one like ws://localhost:${DEFAULT_PORT}${PROTOCOL_PATH}.`);
  }
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') {
    throw new TypeError(`'${input}' is not a ws:// or wss:// URL.`);
  }
  if (u.pathname === '' || u.pathname === '/') u.pathname = PROTOCOL_PATH;
  return u.toString();
}

/** Adds `access_token` to the query (browsers cannot set upgrade headers). */
export function withAccessToken(url: string, token: string): string {
  const u = new URL(url);
  u.searchParams.set('access_token', token);
  return u.toString();
}
