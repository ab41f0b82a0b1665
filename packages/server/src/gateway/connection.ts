/**
 * One client socket: frames in to the dispatcher as fast as the hub is
 * willing to answer them, frames out with a bounded buffer, liveness by
 * ping/pong, and expiry of its credential.
 *
 * Reading is paused (TCP back-pressure to the client) while the connection
 * has `maxRequestsInFlight` requests being handled or its outgoing buffer is
 * above `maxBufferedBytes`. Pausing the socket stops new bytes, not the
 * frames ws has already read, so those wait in a queue here until the pause
 * ends. At most FRAMES_PER_TURN frames of one connection are handled per
 * event-loop turn; the rest wait in the same queue (the socket paused while
 * it is long), so however a client batches its bytes, other connections are
 * served in between.
 */
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { CloseCode } from '@next-chat/core';
import type { RpcPeer } from '../rpc/dispatch.js';
import type { Admission, FrameAdmission } from '../rpc/rate-limit.js';
import type { Metrics } from '../observability/metrics.js';
import type { ThrottledLog } from '../observability/throttled-log.js';
import type { UserSlot } from './user-slot.js';

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

function corkForThisTurn(socket: Duplex): void {
  if (socket.writableCorked > 0 || socket.destroyed) return;
  socket.cork();
  corked.push(socket);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(uncorkAll);
  }
}

/**
 * Frame once: a server's frames are not masked, so the WebSocket frame of a
 * text (header and UTF-8 payload) is the same bytes for every receiver.
 * Fan-out hands the same string to every connection of a group in a row;
 * the last one's frame is kept and every socket writes that one Buffer
 * (one write, no header per socket, no copy). This writes on the socket ws
 * writes on, which is safe because ws's Sender writes each frame whole and
 * synchronously whenever it is not compressing or reading a Blob, and this
 * hub has compression off and sends no Blobs: frames never interleave.
 */
let lastFrame: string | undefined;
let lastWire: Buffer = Buffer.alloc(0);

function wireFrameOf(frame: string): Buffer {
  if (frame === lastFrame) return lastWire;
  const length = Buffer.byteLength(frame, 'utf8');
  const head = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const wire = Buffer.allocUnsafe(head + length);
  wire[0] = 0x81; // FIN + text
  if (head === 2) wire[1] = length;
  else if (head === 4) {
    wire[1] = 126;
    wire.writeUInt16BE(length, 2);
  } else {
    wire[1] = 127;
    wire.writeBigUInt64BE(BigInt(length), 2);
  }
  wire.write(frame, head, 'utf8');
  lastFrame = frame;
  lastWire = wire;
  return wire;
}

export interface ConnectionLimits {
  /** Outgoing bytes above which reading pauses and the slow-consumer clock starts. */
  maxBufferedBytes: number;
  /** ms the buffer may stay above `maxBufferedBytes` without draining. */
  slowConsumerMs: number;
  /** Outgoing bytes that close the connection at once. */
  maxBufferedHardBytes: number;
  /** Outgoing bytes over all connections of the user on this instance. */
  maxUserBufferedBytes: number;
  maxRequestsInFlight: number;
}

const PAUSED_IN_FLIGHT = 1;
const PAUSED_BUFFER = 2;
const PAUSED_HELD = 4;

/**
 * Frames of one connection handled per event-loop turn. A few, not one: a
 * sender's pipelined window is handled in one turn and its fan-out leaves
 * in one writev per socket (measured: one frame per turn cost the fan-out
 * scenario a third of its throughput), while a client that packs thousands
 * of frames into one write still gets only these many before others are served.
 */
const FRAMES_PER_TURN = 16;
/** Frames held back (read but not handled yet) beyond which the socket is paused. */
const HELD_MAX = 256;

/** Event-loop turns, counted lazily: the number moves on once a turn has had frames. */
let turn = 0;
let turnScheduled = false;
function currentTurn(): number {
  if (!turnScheduled) {
    turnScheduled = true;
    setImmediate(() => {
      turn++;
      turnScheduled = false;
    });
  }
  return turn;
}

export type FrameHandler = (conn: Connection, data: Buffer, isBinary: boolean) => void;

export class Connection implements RpcPeer {
  readonly id = nextId++;
  readonly userId: string;
  private missedPongs = 0;
  private expiryTimer: NodeJS.Timeout | undefined;
  private slowTimer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private paused = 0;
  /** Frames ws had read when reading paused, oldest first. */
  private readonly held: { data: Buffer; isBinary: boolean }[] = [];
  private releasing = false;
  private turn = -1;
  private framesThisTurn = 0;

  constructor(
    private readonly ws: WebSocket,
    /** The TCP socket handed over by the upgrade (the one ws writes to). */
    private readonly socket: Duplex,
    readonly user: UserSlot,
    private readonly admission: FrameAdmission,
    private readonly limits: ConnectionLimits,
    private readonly metrics: Metrics,
    private readonly limitLog: ThrottledLog,
    private readonly handle: FrameHandler,
  ) {
    this.userId = user.userId;
    socket.on('drain', () => this.onDrain());
    ws.on('message', (data, isBinary) => this.receive(data as Buffer, isBinary));
    ws.on('pong', () => (this.missedPongs = 0));
    ws.on('error', (err: Error & { code?: string }) => {
      // ws closes the socket itself (1009 for an oversized frame); count it.
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') metrics.limited.inc({ limit: 'frame_size' });
    });
  }

  /** One heartbeat: a ping, or the end of a peer that missed the last two pongs. */
  heartbeat(): void {
    if (this.missedPongs >= 2) {
      this.metrics.closes.inc({ code: '1006', reason: 'missed_pongs' });
      this.ws.terminate();
      return;
    }
    this.missedPongs++;
    this.ws.ping();
  }

  /** Drops the socket without a close handshake. */
  terminate(): void {
    this.ws.terminate();
  }

  private receive(data: Buffer, isBinary: boolean): void {
    if (this.paused === 0 && this.held.length === 0 && this.budget()) {
      this.handle(this, data, isBinary);
      return;
    }
    this.held.push({ data, isBinary });
    if (this.held.length > HELD_MAX) this.pause(PAUSED_HELD);
    this.releaseHeld();
  }

  /** Whether this turn still has room for one of this connection's frames. */
  private budget(): boolean {
    const t = currentTurn();
    if (t !== this.turn) {
      this.turn = t;
      this.framesThisTurn = 0;
    }
    return this.framesThisTurn++ < FRAMES_PER_TURN;
  }

  /** Hands held frames to the handler, FRAMES_PER_TURN per event-loop turn, while not paused. */
  private releaseHeld(): void {
    if (this.releasing || this.held.length === 0) return;
    this.releasing = true;
    setImmediate(() => {
      this.releasing = false;
      if (this.closed) return;
      while ((this.paused & ~PAUSED_HELD) === 0 && this.held.length > 0 && this.budget()) {
        const next = this.held.shift() as { data: Buffer; isBinary: boolean };
        this.handle(this, next.data, next.isBinary);
      }
      if (this.held.length <= HELD_MAX / 2) this.unpause(PAUSED_HELD);
      if ((this.paused & ~PAUSED_HELD) === 0) this.releaseHeld();
    });
  }

  get closed(): boolean {
    return this.ws.readyState !== WebSocket.OPEN;
  }

  get bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }

  admit(): Admission {
    return this.admission.admit();
  }

  requestStarted(): void {
    if (++this.inFlight >= this.limits.maxRequestsInFlight) this.pause(PAUSED_IN_FLIGHT);
  }

  requestFinished(): void {
    if (--this.inFlight < this.limits.maxRequestsInFlight) this.unpause(PAUSED_IN_FLIGHT);
  }

  send(frame: string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    corkForThisTurn(this.socket);
    this.socket.write(wireFrameOf(frame));
    const buffered = this.ws.bufferedAmount;
    if (buffered > this.limits.maxBufferedBytes) this.overBuffer(buffered);
  }

  /**
   * A reading client drains a burst within moments; one that does not read
   * keeps it. So: stop reading its requests, and close it only when the
   * buffer has not drained for `slowConsumerMs`, passes the hard ceiling, or
   * the user's connections together hold more than their share.
   */
  private overBuffer(buffered: number): void {
    if (buffered > this.limits.maxBufferedHardBytes) {
      this.close(CloseCode.PolicyViolation, 'slow consumer: outgoing buffer limit exceeded', 'slow_consumer');
      return;
    }
    if (this.user.bufferedBytes() > this.limits.maxUserBufferedBytes) {
      this.close(CloseCode.PolicyViolation, "slow consumer: the user's outgoing buffers are over their limit", 'slow_consumer_user');
      return;
    }
    this.pause(PAUSED_BUFFER);
    if (this.slowTimer) return;
    this.slowTimer = setTimeout(() => {
      this.slowTimer = undefined;
      if (this.ws.bufferedAmount > this.limits.maxBufferedBytes) {
        this.close(CloseCode.PolicyViolation, 'slow consumer: outgoing buffer did not drain', 'slow_consumer');
      } else this.unpause(PAUSED_BUFFER);
    }, this.limits.slowConsumerMs);
    this.slowTimer.unref();
  }

  private onDrain(): void {
    if (this.slowTimer) {
      clearTimeout(this.slowTimer);
      this.slowTimer = undefined;
    }
    this.unpause(PAUSED_BUFFER);
  }

  private pause(reason: number): void {
    if (this.paused === 0) this.ws.pause();
    this.paused |= reason;
  }

  private unpause(reason: number): void {
    if ((this.paused & reason) === 0) return;
    this.paused &= ~reason;
    if (this.paused === 0) this.ws.resume();
    // Held frames are worked off whenever nothing but their own number holds them.
    if ((this.paused & ~PAUSED_HELD) === 0) this.releaseHeld();
  }

  close(code: number, reason: string, metricReason: string): void {
    if (this.ws.readyState === WebSocket.CLOSED || this.ws.readyState === WebSocket.CLOSING) return;
    this.metrics.closes.inc({ code: String(code), reason: metricReason });
    if (code === CloseCode.PolicyViolation && metricReason !== 'token_expired') {
      this.limitLog.write('warn', `closed:${metricReason}`, { user: this.userId, code, reason: metricReason }, `connection closed by a limit: ${reason}`);
    }
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
    this.held.length = 0;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    if (this.slowTimer) clearTimeout(this.slowTimer);
  }
}
