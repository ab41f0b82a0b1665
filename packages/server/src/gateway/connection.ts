/**
 * One client socket: frames in to the dispatcher, frames out with a bounded
 * buffer, liveness by ping/pong, and expiry of its credential.
 */
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { CloseCode } from '@next-chat/core';
import type { RpcPeer } from '../rpc/dispatch.js';
import type { TokenBucket } from '../rpc/rate-limit.js';
import type { Metrics } from '../observability/metrics.js';

let nextId = 1;

/**
 * Write coalescing: the first frame a connection sends in an event-loop turn
 * corks its TCP socket, and one setImmediate uncorks every corked socket, so
 * the frames of a turn (a fan-out of a whole stream read, a burst of
 * replies) leave in one writev per socket instead of one syscall per frame.
 * Frame boundaries and order are untouched; only the syscalls merge.
 */
const corked: Duplex[] = [];
let flushScheduled = false;

function uncorkAll(): void {
  flushScheduled = false;
  const sockets = corked.splice(0);
  for (const s of sockets) s.uncork();
}

/** Corks `socket` for the rest of this turn; false when it already was. */
function corkForThisTurn(socket: Duplex | undefined): boolean {
  if (!socket || socket.writableCorked > 0 || socket.destroyed) return false;
  socket.cork();
  corked.push(socket);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(uncorkAll);
  }
  return true;
}

/**
 * Encode once: fan-out hands the same frame string to every connection of a
 * group in a row, so the last frame's UTF-8 bytes are kept and every socket
 * writes that one Buffer (ws sends a Buffer with binary: false as a text
 * frame without copying it), instead of each socket encoding the string again.
 */
let lastFrame: string | undefined;
let lastBytes: Buffer = Buffer.alloc(0);

function bytesOf(frame: string): Buffer {
  if (frame !== lastFrame) {
    lastFrame = frame;
    lastBytes = Buffer.from(frame, 'utf8');
  }
  return lastBytes;
}

export class Connection implements RpcPeer {
  readonly id = nextId++;
  missedPongs = 0;
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly ws: WebSocket,
    readonly userId: string,
    readonly limiter: TokenBucket | undefined,
    private readonly maxBufferedBytes: number,
    private readonly metrics: Metrics,
  ) {}

  get closed(): boolean {
    return this.ws.readyState !== WebSocket.OPEN;
  }

  send(frame: string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    // A client that does not read would otherwise grow this process's memory
    // without bound; it is cut off instead and may reconnect and resume.
    // Checked on the first frame of a turn only: within a turn the corked
    // socket holds that turn's burst (one stream read at most), which is not
    // a sign of a slow reader. What is still queued a turn later is.
    const firstOfTurn = corkForThisTurn((this.ws as unknown as { _socket?: Duplex })._socket);
    if (firstOfTurn && this.ws.bufferedAmount > this.maxBufferedBytes) {
      this.close(CloseCode.PolicyViolation, 'slow consumer: outgoing buffer limit exceeded', 'slow_consumer');
      return;
    }
    this.ws.send(bytesOf(frame), { binary: false });
  }

  close(code: number, reason: string, metricReason: string): void {
    if (this.ws.readyState === WebSocket.CLOSED || this.ws.readyState === WebSocket.CLOSING) return;
    this.metrics.closes.inc({ code: String(code), reason: metricReason });
    this.ws.close(code, reason);
    // A peer that never answers the close handshake is dropped after a grace period.
    setTimeout(() => this.ws.terminate(), 2000).unref();
  }

  expireAt(ms: number): void {
    const delay = ms - Date.now();
    // setTimeout takes at most 2^31-1 ms; longer-lived tokens are re-armed.
    const step = Math.min(Math.max(0, delay), 2 ** 31 - 1);
    this.expiryTimer = setTimeout(() => {
      if (Date.now() >= ms) this.close(CloseCode.PolicyViolation, 'token expired: reconnect with a fresh token', 'token_expired');
      else this.expireAt(ms);
    }, step);
    this.expiryTimer.unref();
  }

  dispose(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
  }
}
