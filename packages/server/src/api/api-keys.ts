/**
 * API keys (NEXT_CHAT_API_KEYS): the bearer token of a request is compared
 * with every configured key in constant time (digests of equal length, no
 * early exit), so timing tells an attacker neither which key nor how much
 * of one matched. Several keys are valid at once: rotation adds the new one,
 * moves the callers, then drops the old one.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export class ApiKeys {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  /** The request's `Authorization` header: 'missing', 'malformed', 'unknown' or 'ok'. */
  check(header: string | undefined): 'ok' | 'missing' | 'malformed' | 'unknown' {
    if (header === undefined || header === '') return 'missing';
    const m = /^Bearer +(\S+)$/i.exec(header);
    if (!m?.[1]) return 'malformed';
    const got = digest(m[1]);
    let ok = false;
    for (const d of this.digests) ok = timingSafeEqual(d, got) || ok;
    return ok ? 'ok' : 'unknown';
  }
}
