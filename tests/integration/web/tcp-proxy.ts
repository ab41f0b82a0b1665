/**
 * A TCP proxy in front of a hub, for the reconnect tests: the browser loads
 * the app and opens its WebSocket through it, and the test can cut every
 * connection and refuse new ones (the network is gone), then let them
 * through again. The hub itself keeps running, so nothing but the
 * connection is lost. `retarget()` sends new connections to another port
 * (another hub), as a load balancer does when a hub dies.
 */
import net from 'node:net';

export interface TcpProxy {
  port: number;
  url: string;
  /** Cuts every open connection and refuses new ones until `restore()`. */
  cut(): void;
  restore(): void;
  /** New connections go to `port` from now on; open ones stay where they are. */
  retarget(port: number): void;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let down = false;
  let target = targetPort;
  const server = net.createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target, '127.0.0.1');
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    cut() {
      down = true;
      for (const s of open) s.destroy();
      open.clear();
    },
    restore() {
      down = false;
    },
    retarget(port: number) {
      target = port;
    },
    close() {
      for (const s of open) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
