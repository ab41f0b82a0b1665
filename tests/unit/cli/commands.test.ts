/**
 * Command modules called directly (wdio-cli style): builders carry examples,
 * exec functions shape output from the SDK's results. The real program
 * against a real hub: tests/integration/cli.
 */
import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import type { NextChatClient } from '@next-chat/client';
import { commands } from '../../../packages/cli/src/commands/index.js';
import * as history from '../../../packages/cli/src/commands/history.js';
import * as list from '../../../packages/cli/src/commands/list.js';
import * as say from '../../../packages/cli/src/commands/say.js';
import { makeStyle } from '../../../packages/cli/src/format.js';
import { buildParser } from '../../../packages/cli/src/run.js';

const style = makeStyle(false);
const msg = (i: number) => ({ id: `${i}-0`, groupId: 'g', authorId: 'a', text: `t${i}`, sentAt: '2026-11-22T10:00:00.000Z' });

/** A client stub that only answers what the test needs. */
function stub(methods: Partial<Record<keyof NextChatClient, unknown>>): NextChatClient {
  return methods as unknown as NextChatClient;
}

describe('command modules', () => {
  it('each has command, desc, builder with examples, handler', async () => {
    for (const c of commands) {
      expect(typeof c.command).toBe('string');
      expect(c.desc.length).toBeGreaterThan(10);
      expect(typeof c.handler).toBe('function');
      let examples = 0;
      const y = yargs([]);
      const spy = new Proxy(y, {
        get(target, prop, receiver) {
          if (prop === 'example') {
            return (...a: unknown[]) => {
              examples++;
              return (target.example as (...x: unknown[]) => unknown).apply(target, a) && receiver;
            };
          }
          const v = Reflect.get(target, prop, target) as unknown;
          return typeof v === 'function' ? (...a: unknown[]) => ((v as (...x: unknown[]) => unknown).apply(target, a), receiver) : v;
        },
      });
      c.builder(spy as never);
      expect(examples, c.command).toBeGreaterThan(0);
    }
  });

  it('the parser knows every command and refuses unknown ones', async () => {
    await expect(async () => buildParser(['nope'], {}).parseAsync()).rejects.toThrow(/Unknown argument: nope/);
  });

  it('list pages through every group', async () => {
    const pages = [
      { groups: [{ id: 'a', createdBy: 'x', createdAt: '', memberCount: 1 }], next: 'a' },
      { groups: [{ id: 'b', createdBy: 'x', createdAt: '', memberCount: 2 }], next: null },
    ];
    const afters: (string | undefined)[] = [];
    const client = stub({
      listGroups: async (p: { after?: string }) => {
        afters.push(p.after);
        return pages.shift();
      },
    });
    const out = await list.exec({ client, style, interactive: false }, {});
    expect(afters).toEqual([undefined, 'a']);
    expect(out.lines).toEqual(['#a  1 member, created by x', '#b  2 members, created by x', '2 groups']);
  });

  it('history pages back until n messages, oldest first', async () => {
    const all = Array.from({ length: 450 }, (_, i) => msg(i + 1));
    const client = stub({
      history: async (_g: string, p: { before?: string; limit: number }) => {
        const end = p.before ? all.findIndex((m) => m.id === p.before) : all.length;
        const messages = all.slice(Math.max(0, end - p.limit), end);
        return { messages, next: end - p.limit > 0 ? messages[0].id : null };
      },
    });
    const out = await history.exec({ client, style, interactive: false }, { group: 'g', n: 250 });
    const ids = (out.json as { messages: { id: string }[] }).messages.map((m) => m.id);
    expect(ids).toEqual(all.slice(-250).map((m) => m.id));
    await expect(history.exec({ client, style, interactive: false }, { group: 'g', n: 0 })).rejects.toMatchObject({ name: 'UsageError' });
  });

  it('say joins the words and stays quiet in the REPL (the echo confirms)', async () => {
    const sent: string[] = [];
    const client = stub({
      send: async (_g: string, text: string) => {
        sent.push(text);
        return { ...msg(1), text };
      },
    });
    const one = await say.exec({ client, style, interactive: false }, { group: 'g', text: ['hello', 'world'] });
    expect(sent).toEqual(['hello world']);
    expect(one.lines[0]).toMatch(/#g a: hello world$/);
    const quiet = await say.exec({ client, style, interactive: true }, { group: 'g', text: 'x' });
    expect(quiet.lines).toEqual([]);
  });
});
