/**
 * HTTP answers written on a raw socket, for requests that never become a
 * ServerResponse: refused WebSocket upgrades and requests the HTTP parser
 * gave up on. Always a JSON body `{error, message}`.
 */
import type { Duplex } from 'node:stream';

const STATUS_TEXT: Record<number, string> = {
  401: 'Unauthorized',
  404: 'Not Found',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  503: 'Service Unavailable',
};

function answer(socket: Duplex, status: number, error: string, message: string): void {
  const body = JSON.stringify({ error, message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/** Answers a refused upgrade with a plain HTTP response and a JSON reason. */
export function refuseUpgrade(socket: Duplex, status: number, error: string, message: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  answer(socket, status, error, message);
}

/**
 * Answers, then reads (and drops) what the client is still sending until it
 * closes: closing a socket with unread input makes the kernel send a reset,
 * and the client would never see the answer.
 */
export function answerAndDrain(socket: Duplex, status: number, error: string, message: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  answer(socket, status, error, message);
  socket.on('data', () => undefined);
  socket.resume();
  setTimeout(() => socket.destroy(), 5000).unref();
}
