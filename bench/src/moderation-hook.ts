/**
 * The moderation scenario's hook (moderation.ts): a process of its own, so
 * its CPU is neither the hub's nor the load's. Answers every POST with
 * {"action":"allow"}, after HOOK_DELAY_MS when set (a hook that does real
 * work, or calls a classifier, takes that long). Logs {"msg":"listening",
 * "port"} like the servers of procs.ts.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const delayMs = Number(process.env.HOOK_DELAY_MS ?? 0);
const ALLOW = Buffer.from('{"action":"allow"}');
let calls = 0;

const server = createServer((req, res) => {
  // The body is read to the end (a real hook reads the text); the answer does not depend on it.
  req.resume();
  req.on('end', () => {
    calls++;
    const answer = () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': ALLOW.length }).end(ALLOW);
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
});
// Longer than undici's 4 s keep-alive, so the hub, not the hook, decides when an idle connection goes.
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => {
  process.stdout.write(`${JSON.stringify({ msg: 'stopping', calls })}\n`);
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
