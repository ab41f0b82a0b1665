/**
 * The SDK against a hub in jwt mode: the token travels as a Bearer header,
 * the user is its `sub`, a token function is called per connect, and an
 * expiring token ends the connection with 1008 and no reconnect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { ConnectError, ConnectionLostError } from '../../../packages/client/src/index.js';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { closeAll, gid, makeClient, nextEvent } from './helpers.js';

const SECRET = 'client-tests-secret-that-is-at-least-32-bytes';
const now = () => Math.floor(Date.now() / 1000);
function jwt(sub: string, expiresInS = 600): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt().setExpirationTime(now() + expiresInS).sign(new TextEncoder().encode(SECRET));
}

let hub: HubProcess;
beforeAll(async () => {
  hub = await startHub({ NEXT_CHAT_AUTH_MODE: 'jwt', NEXT_CHAT_JWT_SECRET: SECRET });
});
afterAll(async () => {
  await closeAll();
  await hub?.stop();
});

describe('SDK in jwt mode', () => {
  it('acts as the token subject; calls a token function for each connect', async () => {
    let calls = 0;
    const c = makeClient(hub.url, undefined, {
      token: async () => {
        calls++;
        return jwt('jwt-lena');
      },
    });
    await c.connect();
    const g = gid('jwt');
    expect((await c.createGroup(g)).createdBy).toBe('jwt-lena');
    await c.join(g);
    const reopened = nextEvent(c, 'resumed');
    c.reconnect();
    expect(await reopened).toMatchObject({ groupId: g, missed: 0 });
    expect(calls).toBe(2);
  });

  it('refuses a user id where a JWT is expected (401, no retry)', async () => {
    const c = makeClient(hub.url, 'plain-user');
    const err = await c.connect({ retry: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect(err).toMatchObject({ status: 401 });
  });

  it('stops, without reconnecting, when the hub closes an expired token with 1008', async () => {
    const c = makeClient(hub.url, await jwt('jwt-max', 2));
    let reconnects = 0;
    c.on('reconnecting', () => reconnects++);
    await c.connect();
    const closed = await nextEvent(c, 'close');
    expect(closed).toMatchObject({ code: 1008, willReconnect: false });
    expect(closed.error).toBeInstanceOf(ConnectionLostError);
    expect(reconnects).toBe(0);
    expect(c.state).toBe('closed');
  });
});
