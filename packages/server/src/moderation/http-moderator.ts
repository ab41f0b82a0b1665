/**
 * The moderation hook over HTTP (NEXT_CHAT_MODERATION_URL): one signed JSON
 * POST per message.send and message.edit, before the text is stored. A hook
 * that does not answer a valid verdict in time is a failure, resolved per
 * NEXT_CHAT_MODERATION_FAILURE: `open` stores the text as sent, `closed`
 * refuses it with 4503.
 *
 * node:http with a keep-alive agent rather than fetch: every moderated
 * message waits for this call, and on loopback fetch (undici) cost about
 * 350 µs of CPU per call against about 100-190 µs here (docs/performance.md,
 * "Moderation hook"). Connections stay open between calls, so a call is one
 * round trip, not a TCP (or TLS) handshake each.
 */
import { randomUUID } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { errors } from '@next-chat/core';
import type { Metrics } from '../observability/metrics.js';
import type { ThrottledLog } from '../observability/throttled-log.js';
import type { ModerationInput, ModerationVerdict, Moderator } from '../ports/moderation.js';
import { signedHeaders } from '../webhooks/signature.js';
import { readVerdict } from './verdict.js';

/** A valid answer is at most a 4000-character replacement, even fully \u-escaped (~48 KB); more is a broken hook. */
const MAX_ANSWER_BYTES = 64 * 1024;
/**
 * An idle connection to the hook is closed after this long: below the 5 s
 * of Node's own servers (and most proxies), so the hub does not send a
 * request on a connection the hook is closing at that moment.
 */
const IDLE_MS = 4000;

export interface HttpModeratorOptions {
  url: string;
  timeoutMs: number;
  failure: 'open' | 'closed';
  /** NEXT_CHAT_WEBHOOK_SECRET: when set, every call carries the Standard Webhooks signature headers. */
  secret?: string;
  metrics: Metrics;
  /** Failures are logged at most once per interval: a hook outage must not turn every send into a log line. */
  log: ThrottledLog;
}

class HookFailure extends Error {}

export class HttpModerator implements Moderator {
  private readonly url: URL;
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;

  constructor(private readonly o: HttpModeratorOptions) {
    this.url = new URL(o.url);
    const https = this.url.protocol === 'https:';
    // LIFO: the most recently used connection is the one least likely to have been closed by the hook meanwhile.
    const agentOptions = { keepAlive: true, timeout: IDLE_MS, scheduling: 'lifo' as const };
    this.agent = https ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.send = https ? httpsRequest : httpRequest;
  }

  /** Closes the idle connections to the hook (shutdown). */
  close(): void {
    this.agent.destroy();
  }

  async check(input: ModerationInput): Promise<ModerationVerdict> {
    const started = performance.now();
    try {
      const verdict = await this.ask(input);
      this.o.metrics.moderationCalls.inc({ verdict: verdict.action });
      return verdict;
    } catch (e) {
      const problem = e instanceof HookFailure ? e.message : describe(e);
      const open = this.o.failure === 'open';
      this.o.metrics.moderationCalls.inc({ verdict: open ? 'failed_open' : 'failed_closed' });
      this.o.log.write('warn', 'moderation_failed', { problem, failure: this.o.failure }, open ? 'moderation hook failed; storing messages as sent (NEXT_CHAT_MODERATION_FAILURE=open)' : 'moderation hook failed; refusing messages with 4503 (NEXT_CHAT_MODERATION_FAILURE=closed)');
      if (open) return { action: 'allow' };
      throw errors.unavailable('moderation service');
    } finally {
      this.o.metrics.moderationDuration.observe((performance.now() - started) / 1000);
    }
  }

  private ask(input: ModerationInput): Promise<ModerationVerdict> {
    const body = JSON.stringify({
      kind: input.kind,
      groupId: input.groupId,
      authorId: input.authorId,
      text: input.text,
      ...(input.messageId !== undefined ? { messageId: input.messageId } : {}),
      ...(input.clientMessageId !== undefined ? { clientMessageId: input.clientMessageId } : {}),
    });
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      ...(this.o.secret !== undefined ? signedHeaders(this.o.secret, randomUUID(), body) : {}),
    };
    return new Promise<ModerationVerdict>((resolve, reject) => {
      const fail = (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      };
      const req = this.send(this.url, { method: 'POST', agent: this.agent, headers }, (res) => {
        read(res).then((text) => {
          clearTimeout(timer);
          if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode > 299) return reject(new HookFailure(`the hook answered HTTP ${res.statusCode}`));
          const r = readVerdict(text);
          if ('problem' in r) reject(new HookFailure(r.problem));
          else resolve(r.verdict);
        }, fail);
      });
      // One deadline for the request and the whole answer, not only its headers.
      const timer = setTimeout(() => {
        req.destroy();
        reject(new HookFailure(`no answer within ${this.o.timeoutMs} ms`));
      }, this.o.timeoutMs);
      req.on('error', fail);
      req.end(body);
    });
  }
}

/** The body, up to MAX_ANSWER_BYTES; a longer one fails at once instead of being buffered. */
function read(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(res.headers['content-length'] ?? NaN);
    const tooLong = () => {
      res.destroy();
      reject(new HookFailure(`the answer is over ${MAX_ANSWER_BYTES} bytes`));
    };
    if (declared > MAX_ANSWER_BYTES) return tooLong();
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_ANSWER_BYTES) tooLong();
      else chunks.push(c);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('aborted', () => reject(new HookFailure('the hook closed the connection mid-answer')));
  });
}

/** A network error as its code (ECONNREFUSED, ENOTFOUND, ECONNRESET...) with its message. */
function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = 'code' in e && typeof e.code === 'string' ? e.code : undefined;
  return code !== undefined && !e.message.includes(code) ? `${code}: ${e.message}` : e.message;
}
