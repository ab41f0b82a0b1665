/**
 * A WebSocket client made of a bare TCP socket, for the probes no library
 * would send: thousands of frames in one write, garbage, never reading.
 * It performs the upgrade by hand and parses just enough of the server's
 * frames to count answers and see the close code.
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';

export interface RawSocket {
  socket: net.Socket;
  /** Text frames received so far. */
  texts: string[];
  /** Resolves with the close frame's code (or 1006 when the socket ended without one). */
  closed: Promise<number>;
  closeCode: number | undefined;
}

/** One masked client text frame of `payload` (under 126 bytes). */
export function maskedTextFrame(payload: string): Buffer {
  const data = Buffer.from(payload, 'utf8');
  if (data.length > 125) throw new Error('maskedTextFrame: payload too long for this helper');
  const mask = randomBytes(4);
  const out = Buffer.alloc(6 + data.length);
  out[0] = 0x81;
  out[1] = 0x80 | data.length;
  mask.copy(out, 2);
  for (let i = 0; i < data.length; i++) out[6 + i] = (data[i] as number) ^ (mask[i % 4] as number);
  return out;
}

export function rawConnect(port: number, token: string): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const texts: string[] = [];
    let buf: Buffer = Buffer.alloc(0);
    let upgraded = false;
    let resolveClosed: (code: number) => void = () => undefined;
    const raw: RawSocket = { socket, texts, closed: new Promise((r) => (resolveClosed = r)), closeCode: undefined };
    const finish = (code: number) => {
      if (raw.closeCode !== undefined) return;
      raw.closeCode = code;
      resolveClosed(code);
    };
    socket.on('error', () => finish(1006));
    socket.on('close', () => finish(1006));
    socket.on('connect', () => {
      socket.write(
        `GET /next-chat HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nAuthorization: ${token}\r\n\r\n`,
      );
    });
    socket.on('data', (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        if (!head.startsWith('HTTP/1.1 101')) {
          reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
          socket.destroy();
          return;
        }
        upgraded = true;
        buf = buf.subarray(end + 4);
        resolve(raw);
      }
      // Server frames are unmasked: opcode, 7/16/64-bit length, payload.
      let off = 0;
      while (buf.length - off >= 2) {
        const opcode = (buf[off] as number) & 0x0f;
        let len = (buf[off + 1] as number) & 0x7f;
        let head = 2;
        if (len === 126) {
          if (buf.length - off < 4) break;
          len = buf.readUInt16BE(off + 2);
          head = 4;
        } else if (len === 127) {
          if (buf.length - off < 10) break;
          len = Number(buf.readBigUInt64BE(off + 2));
          head = 10;
        }
        if (buf.length - off < head + len) break;
        const payload = buf.subarray(off + head, off + head + len);
        if (opcode === 0x1) texts.push(payload.toString('utf8'));
        else if (opcode === 0x8) finish(payload.length >= 2 ? payload.readUInt16BE(0) : 1005);
        off += head + len;
      }
      buf = buf.subarray(off);
    });
  });
}
