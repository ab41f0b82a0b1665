/**
 * Who is signed in, and with what token. Trust mode: the user id is the
 * token. Jwt mode: a token handed over in the address (`#token=...`, taken
 * out of the address bar before anything else runs, main.tsx), pasted, or
 * fetched from NEXT_CHAT_WEB_TOKEN_URL with the browser's credentials (how a
 * company's login plugs in: its cookie session answers with a token).
 *
 * The session lives in sessionStorage: it survives a reload of the tab and
 * ends with the tab. The last trust-mode user id is remembered to fill in
 * the sign-in form.
 */
import { isUserId } from '@next-chat/core';
import type { WebConfig } from './config.js';
import { jwtClaims, msUntilExpiry, tokenFromAnswer } from './model/token.js';

export interface Session {
  userId: string;
  token: string;
  /** Where a fresh token comes from: the token URL, or nowhere (sign in again). */
  refreshable: boolean;
}

const KEY = 'next-chat.session';
const LAST_USER = 'next-chat.last-user';

/** Tokens this close to expiry count as expired: the hub refuses them from the second they expire. */
export const EXPIRY_MARGIN_MS = 5_000;

function storage(kind: 'session' | 'local'): Storage | undefined {
  try {
    return kind === 'session' ? sessionStorage : localStorage;
  } catch {
    return undefined;
  }
}

export function saveSession(s: Session): void {
  storage('session')?.setItem(KEY, JSON.stringify(s));
  if (!s.refreshable && isUserId(s.token)) storage('local')?.setItem(LAST_USER, s.userId);
}

export function loadSession(): Session | undefined {
  try {
    const s = JSON.parse(storage('session')?.getItem(KEY) ?? 'null') as Session | null;
    return s && typeof s.userId === 'string' && typeof s.token === 'string' ? s : undefined;
  } catch {
    return undefined;
  }
}

export function clearSession(): void {
  storage('session')?.removeItem(KEY);
}

export function lastUserId(): string {
  return storage('local')?.getItem(LAST_USER) ?? '';
}

export class SignInError extends Error {}

/** A trust-mode session: the user id is the token. */
export function trustSession(userId: string): Session {
  const id = userId.trim();
  if (!isUserId(id)) throw new SignInError('A user id is 1 to 64 letters, digits and . _ @ -, starting with a letter or digit.');
  return { userId: id, token: id, refreshable: false };
}

/** A jwt-mode session from a token; throws a SignInError with a sentence when it cannot be one. */
export function jwtSession(token: string, refreshable: boolean, now = Date.now()): Session {
  const t = token.trim().replace(/^Bearer\s+/i, '');
  const claims = jwtClaims(t);
  if (!claims) throw new SignInError('That is not a sign-in token (a JWT has three parts separated by dots).');
  if (claims.sub === undefined || !isUserId(claims.sub)) throw new SignInError('This token names no user the hub would accept.');
  const left = msUntilExpiry(t, now);
  if (left !== undefined && left <= EXPIRY_MARGIN_MS) throw new SignInError(refreshable ? 'The sign-in service handed out a token that has already expired.' : 'This sign-in link has expired; ask for a new one.');
  return { userId: claims.sub, token: t, refreshable };
}

/** Fetches a token from NEXT_CHAT_WEB_TOKEN_URL, with the browser's cookies. */
export async function fetchToken(config: WebConfig): Promise<Session> {
  const url = config.tokenUrl;
  if (url === undefined) throw new SignInError('No sign-in service is configured for this hub.');
  let res: Response;
  try {
    res = await fetch(url, { credentials: 'include', headers: { accept: 'application/json, text/plain' }, cache: 'no-store' });
  } catch {
    throw new SignInError(`The sign-in service (${new URL(url, location.href).origin}) cannot be reached.`);
  }
  if (res.status === 401 || res.status === 403) throw new SignInError('You are not signed in with your organisation; sign in there, then try again.');
  if (!res.ok) throw new SignInError(`The sign-in service answered with an error (HTTP ${res.status}); try again later.`);
  const token = tokenFromAnswer(await res.text(), res.headers.get('content-type'));
  if (token === undefined) throw new SignInError('The sign-in service answered without a token.');
  return jwtSession(token, true);
}
