/**
 * The peer a Node team would otherwise pick: Socket.IO with the official
 * Redis Streams adapter, WebSocket transport only. Same operations as the
 * hub, as Socket.IO events with acknowledgements: `join` (room) and `send`
 * ({groupId, text}) → the room gets a `message` event with the same Message
 * shape the hub sends. Env: REDIS_URL, PORT (0 = any).
 */
import http from 'node:http';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const httpServer = http.createServer();
const io = new Server(httpServer, {
  adapter: createAdapter(redis),
  transports: ['websocket'],
  serveClient: false,
  perMessageDeflate: false,
  maxHttpBufferSize: 64 * 1024,
});

let seq = 0;
io.on('connection', (socket) => {
  const user = String((socket.handshake.auth as { user?: string }).user ?? socket.id);
  socket.on('join', (groupId: string, ack?: (r: unknown) => void) => {
    void socket.join(groupId);
    ack?.({ group: { id: groupId }, history: [], complete: true });
  });
  socket.on('send', (p: { groupId: string; text: string }, ack?: (r: unknown) => void) => {
    const now = Date.now();
    const message = { id: `${now}-${seq++}`, groupId: p.groupId, authorId: user, text: p.text, sentAt: new Date(now).toISOString() };
    io.to(p.groupId).emit('message', message);
    ack?.({ message });
  });
});

httpServer.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const a = httpServer.address();
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port: typeof a === 'object' && a ? a.port : 0 })}\n`);
});
process.on('SIGTERM', () => {
  io.close();
  redis.disconnect();
  setTimeout(() => process.exit(0), 200).unref();
});
