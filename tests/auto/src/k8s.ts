/**
 * Hub pod discovery inside a cluster: lists the pods of the release with the
 * Kubernetes API (needs only get/list on pods) and turns each into a direct
 * WebSocket URL on its pod IP, so the suite can prove delivery between every
 * pair of pods rather than through the Service's load balancing.
 */
import fs from 'node:fs';

export interface PodLike {
  metadata?: { name?: string; deletionTimestamp?: unknown };
  status?: { phase?: string; podIP?: string; conditions?: Array<{ type?: string; status?: string }> };
}

export interface HubEndpoint {
  name: string;
  url: string;
}

export interface Discovery {
  endpoints: HubEndpoint[];
  /** Pods that exist but cannot be tested (no IP, not ready, terminating): each a sentence. */
  problems: string[];
}

const SA_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export function defaultNamespace(): string {
  try {
    const ns = fs.readFileSync(SA_NAMESPACE, 'utf8').trim();
    if (ns) return ns;
  } catch {
    /* not in a pod */
  }
  return 'default';
}

/** Pure: pods -> endpoints (sorted by pod name) and problems. */
export function endpointsFromPods(pods: readonly PodLike[], port: number, path: string): Discovery {
  const endpoints: HubEndpoint[] = [];
  const problems: string[] = [];
  const sorted = [...pods].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  for (const pod of sorted) {
    const name = pod.metadata?.name ?? '<unnamed>';
    if (pod.metadata?.deletionTimestamp) {
      continue; // terminating: not part of the release any more
    }
    const phase = pod.status?.phase;
    const ip = pod.status?.podIP;
    if (phase !== 'Running' || !ip) {
      problems.push(`pod ${name} is ${phase ?? 'in an unknown phase'}${ip ? '' : ' without an IP'}`);
      continue;
    }
    const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    if (!ready) problems.push(`pod ${name} (${ip}) is Running but not Ready`);
    const host = ip.includes(':') ? `[${ip}]` : ip;
    endpoints.push({ name, url: `ws://${host}:${port}${path}` });
  }
  return { endpoints, problems };
}

export async function discoverHubPods(namespace: string, selector: string, port: number, path: string): Promise<Discovery> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  const api = kc.makeApiClient(k8s.CoreV1Api);
  const pods: PodLike[] = [];
  let cont: string | undefined;
  for (let page = 0; page < 50; page++) {
    const list = await api.listNamespacedPod({ namespace, labelSelector: selector, limit: 500, _continue: cont });
    pods.push(...(list.items as PodLike[]));
    cont = list.metadata?._continue;
    if (!cont) break;
  }
  return endpointsFromPods(pods, port, path);
}

/** Endpoints for --url: named by host (and index when there are several). */
export function endpointsFromUrls(urls: readonly string[]): HubEndpoint[] {
  return urls.map((url, i) => {
    const u = new URL(url);
    return { name: urls.length === 1 ? u.host : `hub${i}(${u.host})`, url };
  });
}
