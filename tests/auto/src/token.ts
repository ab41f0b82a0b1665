/**
 * Tokens for the upgrade: in trust mode the token is the user id; with a JWT
 * secret, an HS256 JWT whose `sub` is the user id, valid for a short while.
 */
import { SignJWT } from 'jose';

export type TokenFactory = (userId: string) => Promise<string>;

export function tokenFactory(jwtSecret: string | undefined, ttlSeconds = 600): TokenFactory {
  if (!jwtSecret) return async (userId) => userId;
  const key = new TextEncoder().encode(jwtSecret);
  return (userId) => mintJwt(key, userId, ttlSeconds);
}

export async function mintJwt(key: Uint8Array, userId: string, ttlSeconds: number, nowSeconds = Math.floor(Date.now() / 1000)): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + ttlSeconds)
    .sign(key);
}
