/**
 * The ceiling: one process, no Redis, no checks. A raw `ws` server speaking
 * the JSON-RPC subset the load generator uses (group.create, group.join,
 * message.send) and broadcasting each message, encoded once into a Buffer, to
 * every socket of the group (the broadcast idiom of the ws README). Env: PORT (0 = any).
 */
import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

const httpServer = http.createServer();
const wss = new WebSocketServer({ server: httpServer, perMessageDeflate: false, skipUTF8Validation: true });
const groups = new Map<string, Set<WebSocket>>();
let seq = 0;

wss.on('connection', (ws, req) => {
  const user = String(req.headers.authorization ?? 'anon');
  ws.on('message', (data) => {
    const req = JSON.parse(data.toString()) as { id: number; method: string; params: { groupId: string; text?: string } };
    const g = req.params.groupId;
    let result: unknown;
    if (req.method === 'group.create') result = { group: { id: g } };
    else if (req.method === 'group.join') {
      let set = groups.get(g);
      if (!set) groups.set(g, (set = new Set()));
      set.add(ws);
      result = { group: { id: g }, history: [], complete: true };
    } else if (req.method === 'message.send') {
      const now = Date.now();
      const message = { id: `${now}-${seq++}`, groupId: g, authorId: user, text: req.params.text ?? '', sentAt: new Date(now).toISOString() };
      // The ws README's broadcast: one Buffer, sent to every client.
      const frame = Buffer.from(`{"jsonrpc":"2.0","method":"message","params":${JSON.stringify(message)}}`);
      for (const peer of groups.get(g) ?? []) peer.send(frame, { binary: false });
      result = { message };
    }
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: req.id, result }));
  });
  ws.on('close', () => {
    for (const set of groups.values()) set.delete(ws);
  });
});

httpServer.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const a = httpServer.address();
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port: typeof a === 'object' && a ? a.port : 0 })}\n`);
});
process.on('SIGTERM', () => {
  wss.close();
  httpServer.close();
  setTimeout(() => process.exit(0), 200).unref();
});
