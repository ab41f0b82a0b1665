/**
 * `npm run cluster` (scripts/cluster.mjs): comes up with three hubs on
 * consecutive ports that serve one set of groups, and SIGINT (Ctrl-C) stops
 * everything and removes its data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import type { Message } from '@next-chat/core';
import { TestClient, uid } from '../setup/ws-client.js';
import { freePortRun } from '../setup/services.js';

const SCRIPT = fileURLToPath(new URL('../../../scripts/cluster.mjs', import.meta.url));
let proc: ChildProcess | undefined;

afterAll(() => {
  proc?.kill('SIGINT');
});

async function start(): Promise<{ base: number; out: string[]; ready: Promise<void> }> {
  const base = await freePortRun(3);
  const out: string[] = [];
  proc = spawn(process.execPath, [SCRIPT, '--base-port', String(base)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const ready = new Promise<void>((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        out.push(line);
        // The last line of the start-up report.
        if (line.includes('Ctrl-C stops everything')) resolve();
      }
    };
    proc!.stdout!.on('data', onData);
    proc!.stderr!.on('data', onData);
    proc!.once('exit', (code) => reject(new Error(`cluster exited with ${code}:\n${out.slice(-30).join('\n')}`)));
  });
  return { base, out, ready };
}

it('runs three hubs on one Redis and MariaDB, and SIGINT leaves nothing behind', async () => {
  let c: Awaited<ReturnType<typeof start>> | undefined;
  // Ports are chosen outside the ephemeral range, but a parallel test may still race for them: try again then.
  for (let attempt = 0; attempt < 3; attempt++) {
    c = await start();
    try {
      await c.ready;
      break;
    } catch (err) {
      if (!c.out.some((l) => l.includes('is in use') || l.includes('EADDRINUSE')) || attempt === 2) throw err;
      await new Promise<void>((r) => (proc && proc.exitCode === null ? proc.once('exit', () => r()) : r()));
    }
  }
  const { base, out } = c!;
  const dataLine = out.find((l) => l.includes('data in '));
  const dir = /data in (\S+);/.exec(dataLine ?? '')?.[1];
  expect(dir && existsSync(dir)).toBe(true);

  const a = await TestClient.connect(`ws://127.0.0.1:${base}/next-chat`, uid('a'));
  const b = await TestClient.connect(`ws://127.0.0.1:${base + 2}/next-chat`, uid('b'));
  const g = uid('local');
  await a.call('group.create', { groupId: g });
  await a.call('group.join', { groupId: g });
  await b.call('group.join', { groupId: g });
  const sent = await a.call<{ message: Message }>('message.send', { groupId: g, text: 'across the local cluster' });
  expect((await b.waitForMessages(g, 1))[0].id).toBe(sent.message.id);
  a.close();
  b.close();

  const exited = new Promise<number | null>((resolve) => proc!.once('exit', (code) => resolve(code)));
  proc!.kill('SIGINT');
  expect(await exited).toBe(0);
  proc = undefined;
  expect(existsSync(dir!)).toBe(false);
  expect(out.some((l) => l.includes('stopped; removed'))).toBe(true);
}, 120_000);
