/**
 * next-chat against a hub in jwt mode: --token / NEXT_CHAT_TOKEN, a refused
 * identity, and an expiring token said plainly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { runCli, CliSession } from './cli-process.js';

const SECRET = 'cli-tests-secret-that-is-at-least-32-bytes-long';
const now = () => Math.floor(Date.now() / 1000);
function jwt(sub: string, expiresInS = 600): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt().setExpirationTime(now() + expiresInS).sign(new TextEncoder().encode(SECRET));
}
let n = 0;
const gid = (name: string) => `${name}-${process.pid}-${n++}`;

let hub: HubProcess;
beforeAll(async () => {
  hub = await startHub({ NEXT_CHAT_AUTH_MODE: 'jwt', NEXT_CHAT_JWT_SECRET: SECRET });
});
afterAll(async () => {
  await hub?.stop();
});

describe('next-chat in jwt mode', () => {
  it('one-shot commands take --token or NEXT_CHAT_TOKEN', async () => {
    const g = gid('jwtcli');
    let r = await runCli(['--url', hub.url, '--token', await jwt('jwt-nora'), 'create', g]);
    expect(r).toMatchObject({ code: 0 });
    r = await runCli(['--json', 'list', g], { NEXT_CHAT_URL: hub.url, NEXT_CHAT_TOKEN: await jwt('jwt-nora') });
    expect(JSON.parse(r.stdout)).toMatchObject({ groups: [{ id: g, createdBy: 'jwt-nora' }] });
    r = await runCli(['--url', hub.url, '--user', 'nora', 'list']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/refused this identity .*; check the user id, or pass a valid --token/);
  });

  it('interactive connect --token, and a plain message when the token expires', async () => {
    const s = CliSession.start([]);
    try {
      s.line(`connect ${hub.url} olga --token ${await jwt('jwt-olga', 2)}`);
      await s.expect(`* connected to ${hub.url} as olga`);
      s.line('list');
      await s.expect(/group/);
      await s.expect(
        `! disconnected: the hub closed the connection (token expired: reconnect with a fresh token); connect again with: connect ${hub.url} olga --token TOKEN`,
      );
      s.line('bye');
      expect(await s.exited).toBe(0);
    } finally {
      s.kill();
    }
  });
});
