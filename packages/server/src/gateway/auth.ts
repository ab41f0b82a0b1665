/**
 * Who is connecting. Runs once per WebSocket upgrade, before the socket
 * exists (ws recommends authenticating in the HTTP `upgrade` event).
 *
 * - `trust`: the token is the user id (local default, for development).
 * - `jwt`: a JWT (HS256 with a shared secret, RS256/ES256 with a public key,
 *   or keys from a JWKS URL); the user id is `sub`; `exp` is required (unless
 *   configured otherwise) and bounded by the longest accepted lifetime, `nbf`
 *   and `iat` may not be in the future beyond the clock skew; the connection
 *   is closed with 1008 when `exp` passes.
 */
import type { IncomingMessage } from 'node:http';
import { createRemoteJWKSet, importSPKI, jwtVerify, errors as joseErrors, type JWTPayload, type JWTVerifyGetKey, type CryptoKey } from 'jose';
import { USER_ID_RE } from '@next-chat/core';
import type { Config } from '../config.js';

export interface Identity {
  userId: string;
  /** When the credential stops being valid (ms since epoch); absent: never. */
  expiresAtMs?: number;
}

export class AuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthError';
  }
}

export type Authenticator = (token: string | undefined) => Promise<Identity>;

/** The token of an upgrade request: `Authorization` header, else `access_token` query parameter. */
export function tokenFromRequest(req: IncomingMessage, url: URL): string | undefined {
  let raw = req.headers.authorization ?? url.searchParams.get('access_token') ?? undefined;
  if (raw === undefined) return undefined;
  raw = raw.trim();
  if (/^bearer\s+/i.test(raw)) raw = raw.replace(/^bearer\s+/i, '');
  return raw === '' ? undefined : raw;
}

function checkUserId(id: unknown, what: string): string {
  if (typeof id !== 'string' || !USER_ID_RE.test(id)) {
    throw new AuthError(`${what} must be a user id matching ^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`);
  }
  return id;
}

export async function createAuthenticator(config: Config): Promise<Authenticator> {
  if (config.authMode === 'trust') {
    return async (token) => {
      if (token === undefined) throw new AuthError('missing identity: send the user id in the Authorization header or the access_token query parameter');
      return { userId: checkUserId(token, 'the token (in trust mode, the user id)') };
    };
  }

  let key: Uint8Array | CryptoKey | JWTVerifyGetKey;
  let algorithms: string[];
  let previous: Uint8Array | undefined;
  if (config.jwtSecret !== undefined) {
    key = new TextEncoder().encode(config.jwtSecret);
    if (config.jwtPreviousSecret !== undefined) previous = new TextEncoder().encode(config.jwtPreviousSecret);
    algorithms = ['HS256'];
  } else if (config.jwtPublicKey !== undefined) {
    const pem = config.jwtPublicKey.replace(/\\n/g, '\n');
    const alg = /BEGIN PUBLIC KEY/.test(pem) && (await isEcKey(pem)) ? 'ES256' : 'RS256';
    key = await importSPKI(pem, alg);
    algorithms = [alg];
  } else {
    key = createRemoteJWKSet(new URL(config.jwksUrl as string));
    algorithms = ['RS256', 'ES256'];
  }
  const skew = config.jwtClockSkewSeconds;
  const verifyOptions = {
    algorithms,
    clockTolerance: skew,
    ...(config.jwtRequireExp ? { requiredClaims: ['exp'] } : {}),
    ...(config.jwtIssuer ? { issuer: config.jwtIssuer } : {}),
    ...(config.jwtAudience ? { audience: config.jwtAudience } : {}),
  };
  const maxTtl = config.jwtMaxTtlSeconds;

  /**
   * What jose does not check: `iat` in the future, and lifetimes longer than
   * the hub accepts. jose applies the skew to `exp` as well; here `exp` is
   * exact, as the protocol promises (a token is refused once it has expired).
   */
  function checkTimes(payload: JWTPayload): void {
    const now = Math.floor(Date.now() / 1000);
    if (payload.exp !== undefined && payload.exp <= now) throw new AuthError('token expired: get a fresh one and reconnect');
    if (payload.iat !== undefined && payload.iat > now + skew) throw new AuthError("token rejected: its 'iat' (issued at) is in the future; check the issuer's clock");
    if (maxTtl > 0 && payload.exp !== undefined) {
      const from = payload.iat !== undefined ? Math.min(payload.iat, now) : now;
      if (payload.exp - from > maxTtl + skew) {
        throw new AuthError(`token rejected: it is valid for longer than this hub accepts (at most ${maxTtl} s); mint tokens with an earlier 'exp'`);
      }
    }
  }

  return async (token) => {
    if (token === undefined) throw new AuthError('missing token: send a JWT in the Authorization header (Bearer) or the access_token query parameter');
    try {
      let verified;
      try {
        verified = await jwtVerify(token, key as Uint8Array, verifyOptions);
      } catch (err) {
        // During a rotation, tokens signed with the old secret stay valid.
        if (!previous || !(err instanceof joseErrors.JWSSignatureVerificationFailed)) throw err;
        verified = await jwtVerify(token, previous, verifyOptions);
      }
      const { payload } = verified;
      checkTimes(payload);
      const userId = checkUserId(payload.sub, "the token's 'sub' claim");
      return payload.exp !== undefined ? { userId, expiresAtMs: payload.exp * 1000 } : { userId };
    } catch (err) {
      if (err instanceof AuthError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw new AuthError('token expired: get a fresh one and reconnect');
      if (err instanceof joseErrors.JWTClaimValidationFailed) throw new AuthError(`token rejected: ${err.message}`);
      throw new AuthError('invalid token: it is not a JWT signed with the key this hub expects');
    }
  };
}

async function isEcKey(pem: string): Promise<boolean> {
  const { createPublicKey } = await import('node:crypto');
  try {
    return createPublicKey(pem).asymmetricKeyType === 'ec';
  } catch {
    return false;
  }
}
