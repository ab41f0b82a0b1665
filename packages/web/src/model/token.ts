/**
 * Tokens as the web app handles them in jwt mode: handed over in the page's
 * address (`#token=...`: a fragment never reaches a server or a log), and
 * read only for what the page needs to know (who, until when). The hub
 * verifies the signature; nothing here trusts the claims for more than
 * showing a name and planning a refresh.
 */

/** The token of a `#token=...` fragment (also `#access_token=...`), or undefined. */
export function tokenFromFragment(hash: string): string | undefined {
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  if (h === '') return undefined;
  const params = new URLSearchParams(h);
  const t = (params.get('token') ?? params.get('access_token') ?? '').trim();
  return t === '' ? undefined : t;
}

export interface TokenClaims {
  sub?: string;
  /** Seconds since the epoch. */
  exp?: number;
}

function base64UrlDecode(s: string): string {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The claims of a JWT's payload, unverified; undefined when it is no JWT. */
export function jwtClaims(token: string): TokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(base64UrlDecode(parts[1])) as unknown;
    if (payload === null || typeof payload !== 'object') return undefined;
    const p = payload as Record<string, unknown>;
    return {
      ...(typeof p.sub === 'string' ? { sub: p.sub } : {}),
      ...(typeof p.exp === 'number' && Number.isFinite(p.exp) ? { exp: p.exp } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Milliseconds until the token expires (negative: expired), or undefined when it says nothing. */
export function msUntilExpiry(token: string, now = Date.now()): number | undefined {
  const exp = jwtClaims(token)?.exp;
  return exp === undefined ? undefined : exp * 1000 - now;
}

/**
 * The token in the answer of NEXT_CHAT_WEB_TOKEN_URL: JSON `{"token": "..."}`
 * (or `access_token`), or the token itself as text.
 */
export function tokenFromAnswer(body: string, contentType: string | null): string | undefined {
  const text = body.trim();
  if ((contentType ?? '').includes('json') || text.startsWith('{')) {
    try {
      const j = JSON.parse(text) as Record<string, unknown>;
      const t = j.token ?? j.access_token;
      return typeof t === 'string' && t.trim() !== '' ? t.trim() : undefined;
    } catch {
      return undefined;
    }
  }
  return text !== '' && !/\s/.test(text) ? text : undefined;
}
