import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { TestClient, uid, upgradeRefusal } from '../setup/ws-client.js';

const SECRET = 'a-test-secret-that-is-at-least-32-bytes-long';
const key = new TextEncoder().encode(SECRET);

async function token(claims: { sub?: string; exp?: number; nbf?: number; iat?: number }, secret = key): Promise<string> {
  let jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(claims.iat);
  if (claims.sub !== undefined) jwt = jwt.setSubject(claims.sub);
  if (claims.exp !== undefined) jwt = jwt.setExpirationTime(claims.exp);
  if (claims.nbf !== undefined) jwt = jwt.setNotBefore(claims.nbf);
  return jwt.sign(secret);
}
const now = () => Math.floor(Date.now() / 1000);

let hub: HubProcess;
beforeAll(async () => {
  hub = await startHub({ NEXT_CHAT_AUTH_MODE: 'jwt', NEXT_CHAT_JWT_SECRET: SECRET });
});
afterAll(async () => {
  await hub?.stop();
});

describe('jwt auth mode (HS256)', () => {
  it('accepts a valid token; the user id is sub', async () => {
    const c = await TestClient.connect(hub.url, `Bearer ${await token({ sub: 'jwt-alice', exp: now() + 60 })}`);
    const id = uid('jwt');
    expect((await c.call('group.create', { groupId: id })).group.createdBy).toBe('jwt-alice');
    c.close();
  });

  it('accepts the token in the access_token query parameter', async () => {
    const c = await TestClient.connect(hub.url, await token({ sub: 'jwt-query', exp: now() + 60 }), { query: true });
    expect((await c.call('group.list', { limit: 1 })).groups).toBeDefined();
    c.close();
  });

  it.each([
    ['missing', undefined],
    ['not a JWT', 'alice'],
  ])('refuses a %s token with 401 and a JSON reason', async (_what, tok) => {
    const r = await upgradeRefusal(hub.url, tok === undefined ? undefined : { Authorization: tok });
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toMatchObject({ error: 'unauthorized' });
  });

  it('refuses expired, not-yet-valid, wrongly signed and sub-less tokens', async () => {
    const cases = [
      await token({ sub: 'x', exp: now() - 10 }),
      await token({ sub: 'x', exp: now() + 60, nbf: now() + 3600 }),
      await token({ sub: 'x', exp: now() + 60 }, new TextEncoder().encode('another-secret-another-secret-another')),
      await token({ exp: now() + 60 }),
      await token({ sub: 'bad id!', exp: now() + 60 }),
    ];
    for (const t of cases) {
      const r = await upgradeRefusal(hub.url, { Authorization: `Bearer ${t}` });
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body).message).toMatch(/token|sub/);
    }
  });

  it('refuses alg none and RS256 tokens when configured for HS256', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ sub: 'mallory', exp: now() + 60 })).toString('base64url');
    expect((await upgradeRefusal(hub.url, { Authorization: `${header}.${body}.` })).status).toBe(401);
  });

  it('closes the connection with 1008 when the token expires', async () => {
    const c = await TestClient.connect(hub.url, await token({ sub: 'short-lived', exp: now() + 2 }));
    const closed = await c.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/expired/);
  });
});

describe('token lifetimes', () => {
  async function refusal(t: string): Promise<{ status: number; message: string }> {
    const r = await upgradeRefusal(hub.url, { Authorization: `Bearer ${t}` });
    return { status: r.status, message: (JSON.parse(r.body) as { message: string }).message };
  }

  it('refuses a token without exp: minted by mistake, it would never expire', async () => {
    const r = await refusal(await token({ sub: 'forever' }));
    expect(r.status).toBe(401);
    expect(r.message).toMatch(/exp/);
  });

  it('refuses a token valid for longer than the longest lifetime (24 h by default)', async () => {
    const r = await refusal(await token({ sub: 'long', exp: now() + 25 * 3600 }));
    expect(r.status).toBe(401);
    expect(r.message).toMatch(/longer than this hub accepts/);
    // Issued long ago with a long lifetime: the lifetime counts, not what is left of it.
    expect((await refusal(await token({ sub: 'long', iat: now() - 30 * 3600, exp: now() + 60 }))).status).toBe(401);
    // Just under a day is fine.
    (await TestClient.connect(hub.url, `Bearer ${await token({ sub: 'day', exp: now() + 23 * 3600 })}`)).close();
  });

  it('refuses iat and nbf in the future beyond the clock skew, tolerates a few seconds', async () => {
    const iat = await refusal(await token({ sub: 'early', iat: now() + 600, exp: now() + 900 }));
    expect(iat.status).toBe(401);
    expect(iat.message).toMatch(/iat/);
    expect((await refusal(await token({ sub: 'early', nbf: now() + 600, exp: now() + 900 }))).status).toBe(401);
    (await TestClient.connect(hub.url, `Bearer ${await token({ sub: 'skewed', iat: now() + 5, nbf: now() + 5, exp: now() + 600 })}`)).close();
  });

  it('an expired token is refused at once: the skew does not extend exp', async () => {
    expect((await refusal(await token({ sub: 'late', iat: now() - 60, exp: now() - 2 }))).status).toBe(401);
  });

  it('NEXT_CHAT_JWT_REQUIRE_EXP=false and NEXT_CHAT_JWT_MAX_TTL_SECONDS=0 let an operator accept such tokens', async () => {
    const h = await startHub({ NEXT_CHAT_AUTH_MODE: 'jwt', NEXT_CHAT_JWT_SECRET: SECRET, NEXT_CHAT_JWT_REQUIRE_EXP: 'false', NEXT_CHAT_JWT_MAX_TTL_SECONDS: '0' });
    try {
      (await TestClient.connect(h.url, `Bearer ${await token({ sub: 'bot' })}`)).close();
      (await TestClient.connect(h.url, `Bearer ${await token({ sub: 'bot', exp: now() + 365 * 86400 })}`)).close();
    } finally {
      await h.stop();
    }
  });
});

describe('jwt secret rotation', () => {
  it('accepts tokens of the current and the previous secret, nothing else', async () => {
    const next = 'the-next-secret-the-next-secret-the-next';
    const h = await startHub({ NEXT_CHAT_AUTH_MODE: 'jwt', NEXT_CHAT_JWT_SECRET: next, NEXT_CHAT_JWT_PREVIOUS_SECRET: SECRET });
    try {
      const oldTok = await token({ sub: 'old', exp: now() + 60 });
      const newTok = await token({ sub: 'new', exp: now() + 60 }, new TextEncoder().encode(next));
      const other = await token({ sub: 'x', exp: now() + 60 }, new TextEncoder().encode('some-other-secret-some-other-secret'));
      (await TestClient.connect(h.url, `Bearer ${oldTok}`)).close();
      (await TestClient.connect(h.url, `Bearer ${newTok}`)).close();
      expect((await upgradeRefusal(h.url, { Authorization: `Bearer ${other}` })).status).toBe(401);
      const expiredOld = await token({ sub: 'old', exp: now() - 5 });
      expect((await upgradeRefusal(h.url, { Authorization: `Bearer ${expiredOld}` })).status).toBe(401);
    } finally {
      await h.stop();
    }
  });
});

describe('jwt auth mode (ES256 public key)', () => {
  it('accepts tokens signed by the private key of NEXT_CHAT_JWT_PUBLIC_KEY', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const pem = await exportSPKI(publicKey);
    const h = await startHub({ NEXT_CHAT_AUTH_MODE: 'jwt', NEXT_CHAT_JWT_PUBLIC_KEY: pem });
    try {
      const t = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setSubject('es-user').setExpirationTime('1m').sign(privateKey);
      const c = await TestClient.connect(h.url, `Bearer ${t}`);
      expect((await c.call('group.create', { groupId: uid('es') })).group.createdBy).toBe('es-user');
      c.close();
      // An HS256 token made with the PEM text as secret (key confusion) is refused.
      const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('mallory').setExpirationTime('1m').sign(new TextEncoder().encode(pem));
      expect((await upgradeRefusal(h.url, { Authorization: `Bearer ${forged}` })).status).toBe(401);
    } finally {
      await h.stop();
    }
  });
});
