/**
 * A minimal stand-in for the Kubernetes API server: answers
 * `GET /api/v1/namespaces/<ns>/pods?labelSelector=...` with a PodList and
 * refuses everything else (403), so the suite's `--k8s` mode can be run
 * without a cluster. Plus a kubeconfig pointing at it.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

export interface FakePod {
  name: string;
  ip: string;
  phase?: string;
  ready?: boolean;
}

export interface FakeK8s {
  url: string;
  kubeconfig: string;
  /** Every request line seen (method and URL). */
  requests: string[];
  close(): Promise<void>;
}

export async function startFakeK8s(namespace: string, selector: string, pods: FakePod[]): Promise<FakeK8s> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const u = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && u.pathname === `/api/v1/namespaces/${namespace}/pods` && u.searchParams.get('labelSelector') === selector) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'PodList',
          metadata: { resourceVersion: '1' },
          items: pods.map((p) => ({
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: p.name, namespace, labels: {} },
            spec: { containers: [{ name: 'hub', image: 'next-chat' }] },
            status: {
              phase: p.phase ?? 'Running',
              podIP: p.ip,
              conditions: [{ type: 'Ready', status: p.ready === false ? 'False' : 'True' }],
            },
          })),
        }),
      );
      return;
    }
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: `not allowed: ${req.method} ${req.url}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const url = `http://127.0.0.1:${port}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nc-auto-k8s-'));
  const kubeconfig = path.join(dir, 'config');
  fs.writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fake', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'fake', user: { token: 'fake-token' } }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake', namespace } }],
      'current-context': 'fake',
    }),
  );
  return {
    url,
    kubeconfig,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          fs.rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
