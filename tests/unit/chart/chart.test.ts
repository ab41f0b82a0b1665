/**
 * helm/next-chat renders, for every value set (defaults and ci/*-values.yaml),
 * objects the Kubernetes API would accept, and has the shape the issue asks for.
 */
import { describe, expect, it } from 'vitest';
import { CHART, VALUE_SETS, find, helm, podSpec, render, resolveEnv, valueSet, type K8sObject } from './helm.js';
import { typeCheck, validateModels } from './kube-schema.js';

const SELECTOR_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/component'];
const LABELS = [...SELECTOR_LABELS, 'app.kubernetes.io/version', 'app.kubernetes.io/managed-by', 'helm.sh/chart'];

describe('helm lint', () => {
  it.each(VALUE_SETS.map((s) => [s.name, s]))('passes --strict with %s', (_name, set) => {
    expect(helm(['lint', '--strict', CHART, ...set.args])).toContain('0 chart(s) failed');
  });
});

describe('rendered objects against the Kubernetes schemas', () => {
  const sets = VALUE_SETS.map((s) => ({ name: s.name, objs: render(s.args) }));

  it.each(sets.map((s) => [s.name, s.objs]))('%s: kubernetes-models validate() accepts every object', (_name, objs) => {
    expect(objs.length).toBeGreaterThan(5);
    expect(validateModels(objs)).toEqual([]);
  });

  it('no object has a field its API does not know (TypeScript excess-property check of every set)', () => {
    expect(typeCheck(sets)).toEqual([]);
  }, 60_000);

  it('the unknown-field check does catch an unknown field', () => {
    const d = structuredClone(find(render(), 'Deployment'));
    (podSpec(d).containers[0] as Record<string, unknown>).readinesProbe = {};
    const problems = typeCheck([{ name: 'broken', objs: [d] }]);
    expect(problems.join('\n')).toMatch(/readinesProbe/);
  }, 60_000);

  it.each(sets.map((s) => [s.name, s.objs]))('%s: every object has the app.kubernetes.io labels and the release namespace', (_name, objs) => {
    for (const o of objs) {
      for (const l of LABELS) expect(o.metadata.labels?.[l], `${o.kind} ${o.metadata.name} ${l}`).toBeTruthy();
      expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe('chat-ns');
    }
  });
});

function hub(objs: K8sObject[]) {
  const d = find(objs, 'Deployment', 'chat-next-chat');
  return { d, spec: d.spec as Record<string, any>, pod: podSpec(d) as Record<string, any>, c: podSpec(d).containers[0] as Record<string, any> };
}

describe('hub Deployment', () => {
  const objs = render();
  const { d, spec, pod, c } = hub(objs);

  it('rolls without losing capacity and selects only hub pods', () => {
    expect(spec.replicas).toBe(2);
    expect(spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    expect(spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'next-chat',
      'app.kubernetes.io/instance': 'chat',
      'app.kubernetes.io/component': 'hub',
    });
    expect(d.metadata.labels).toMatchObject(spec.selector.matchLabels);
    expect(spec.template.metadata.labels).toMatchObject(spec.selector.matchLabels);
    expect(spec.template.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('probes /readyz for readiness and /healthz for liveness on the hub port', () => {
    expect(c.ports).toEqual([
      { name: 'http', containerPort: 5000, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
    ]);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
  });

  it('runs non-root on a read-only root file system with no capabilities and no API token', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(c.resources.requests).toEqual({ cpu: '100m', memory: '128Mi' });
    expect(c.resources.limits.memory).toBe('512Mi');
  });

  it('gives the SIGTERM drain its time: preStop sleep + drain timeout fit in the grace period', () => {
    const sleep = Number(c.lifecycle.preStop.exec.command[1]);
    expect(c.lifecycle.preStop.exec.command[0]).toBe('sleep');
    const drainMs = Number((find(objs, 'ConfigMap').data as Record<string, string>).NEXT_CHAT_DRAIN_TIMEOUT_MS);
    expect(sleep).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(sleep + drainMs / 1000);
  });

  it('refuses a grace period shorter than preStop + drain', () => {
    expect(() => render(['--set', 'hub.terminationGracePeriodSeconds=10'])).toThrow(/terminationGracePeriodSeconds \(10\) must be at least .* = 16/);
    expect(() => render(['--set', 'hub.config.drainTimeoutMs=60000'])).toThrow(/must be at least .* = 66/);
  });

  it('spreads the hub pods across nodes', () => {
    expect(pod.topologySpreadConstraints).toEqual([
      {
        topologyKey: 'kubernetes.io/hostname',
        maxSkew: 1,
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: spec.selector.matchLabels },
        matchLabelKeys: ['pod-template-hash'],
      },
    ]);
  });

  it('serves /metrics on a port of its own: NEXT_CHAT_METRICS_PORT is the `metrics` container port, not the hub port', () => {
    const env = resolveEnv(objs, c as any);
    expect(env.NEXT_CHAT_METRICS_PORT).toBe('9090');
    const metrics = (c.ports as any[]).find((p) => p.name === 'metrics');
    expect(String(metrics.containerPort)).toBe(env.NEXT_CHAT_METRICS_PORT);
    expect(env.NEXT_CHAT_METRICS_PORT).not.toBe(env.NEXT_CHAT_PORT);
  });

  it('hub.metrics.port moves the listener, its container port and the metrics Service together', () => {
    const o = render(['--set', 'hub.metrics.port=9464']);
    const hc = hub(o).c;
    expect(resolveEnv(o, hc as any).NEXT_CHAT_METRICS_PORT).toBe('9464');
    expect(hc.ports).toContainEqual({ name: 'metrics', containerPort: 9464, protocol: 'TCP' });
    expect((find(o, 'Service', 'chat-next-chat-metrics').spec as any).ports).toEqual([{ name: 'metrics', port: 9464, targetPort: 'metrics', protocol: 'TCP' }]);
  });

  it('refuses a metrics port equal to the hub port', () => {
    expect(() => render(['--set', 'hub.metrics.port=5000'])).toThrow(/hub.metrics.port \(5000\) must differ from hub.containerPort/);
  });

  it('has a Service on the hub port (no metrics port), a ClusterIP metrics Service and a PodDisruptionBudget over the same pods', () => {
    const svc = find(objs, 'Service', 'chat-next-chat');
    expect((svc.spec as any).selector).toEqual(spec.selector.matchLabels);
    expect((svc.spec as any).ports).toEqual([{ name: 'http', port: 5000, targetPort: 'http', protocol: 'TCP' }]);
    // Even a public hub Service never carries the metrics port; the metrics Service stays ClusterIP.
    const lb = render(['--set', 'hub.service.type=LoadBalancer']);
    expect((find(lb, 'Service', 'chat-next-chat').spec as any).ports.map((p: any) => p.targetPort)).toEqual(['http']);
    const msvc = find(lb, 'Service', 'chat-next-chat-metrics');
    expect((msvc.spec as any).type).toBe('ClusterIP');
    expect((msvc.spec as any).selector).toEqual(spec.selector.matchLabels);
    expect((msvc.spec as any).ports).toEqual([{ name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP' }]);
    expect(msvc.metadata.labels!['app.kubernetes.io/component']).toBe('metrics');
    const pdb = find(objs, 'PodDisruptionBudget');
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: spec.selector.matchLabels } });
  });

  it('renders no Ingress, HPA or ServiceMonitor by default', () => {
    expect(objs.filter((o) => ['Ingress', 'HorizontalPodAutoscaler', 'ServiceMonitor'].includes(o.kind))).toEqual([]);
  });
});

describe('ha value set: 3 replicas, Ingress, HPA, ServiceMonitor', () => {
  const objs = render(valueSet('ha').args);
  const { spec } = hub(objs);

  it('leaves the replica count to the HPA', () => {
    expect(spec.replicas).toBeUndefined();
    const hpa = find(objs, 'HorizontalPodAutoscaler').spec as any;
    expect(hpa.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'chat-next-chat' });
    expect([hpa.minReplicas, hpa.maxReplicas]).toEqual([3, 12]);
    expect(hpa.metrics.map((m: any) => [m.resource.name, m.resource.target.averageUtilization])).toEqual([
      ['cpu', 60],
      ['memory', 80],
    ]);
  });

  it('3 replicas without the HPA', () => {
    const { spec: s } = hub(render([...valueSet('ha').args, '--set', 'hub.autoscaling.enabled=false']));
    expect(s.replicas).toBe(3);
  });

  it('routes the WebSocket path through the Ingress with long timeouts, TLS and (here) sticky sessions', () => {
    const ing = find(objs, 'Ingress');
    const a = ing.metadata.annotations!;
    expect(a['nginx.ingress.kubernetes.io/proxy-read-timeout']).toBe('3600');
    expect(a['nginx.ingress.kubernetes.io/proxy-send-timeout']).toBe('3600');
    expect(a['nginx.ingress.kubernetes.io/affinity']).toBe('cookie');
    expect(a['nginx.ingress.kubernetes.io/session-cookie-name']).toBe('next-chat-affinity');
    const s = ing.spec as any;
    expect(s.ingressClassName).toBe('nginx');
    expect(s.tls).toEqual([{ hosts: ['chat.example.com'], secretName: 'chat.example.com-tls' }]);
    expect(s.rules[0].http.paths).toEqual([
      { path: '/', pathType: 'Prefix', backend: { service: { name: 'chat-next-chat', port: { name: 'http' } } } },
    ]);
  });

  it('sticky sessions are off by default and given annotations win', () => {
    const ing = find(
      render(['--set', 'ingress.enabled=true', '--set-string', 'ingress.annotations.nginx\\.ingress\\.kubernetes\\.io/proxy-read-timeout=7200']),
      'Ingress',
    );
    expect(Object.keys(ing.metadata.annotations!).filter((k) => k.includes('affinity') || k.includes('session-cookie'))).toEqual([]);
    expect(ing.metadata.annotations!['nginx.ingress.kubernetes.io/proxy-read-timeout']).toBe('7200');
  });

  it('scrapes /metrics on the metrics port, through the metrics Service alone', () => {
    const sm = find(objs, 'ServiceMonitor');
    expect(sm.metadata.labels!.release).toBe('prometheus');
    expect((sm.spec as any).endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
    const selector: Record<string, string> = (sm.spec as any).selector.matchLabels;
    const selected = objs.filter((o) => o.kind === 'Service' && Object.entries(selector).every(([k, v]) => o.metadata.labels?.[k] === v));
    expect(selected.map((o) => o.metadata.name)).toEqual(['chat-next-chat-metrics']);
    // That Service's `metrics` port leads to the hub pods' `metrics` container port, NEXT_CHAT_METRICS_PORT.
    const svcSpec = selected[0].spec as any;
    expect(svcSpec.selector).toEqual(spec.selector.matchLabels);
    expect(svcSpec.ports.find((p: any) => p.name === 'metrics').targetPort).toBe('metrics');
    const hc = hub(objs).c;
    const env = resolveEnv(objs, hc as any);
    expect(String((hc.ports as any[]).find((p) => p.name === 'metrics').containerPort)).toBe(env.NEXT_CHAT_METRICS_PORT);
  });

  it('no Ingress path reaches the metrics port', () => {
    for (const o of [objs, render(['--set', 'ingress.enabled=true', '--set', 'hub.service.type=NodePort'])]) {
      const hc = hub(o).c;
      const metricsPort = (hc.ports as any[]).find((p) => p.name === 'metrics');
      const paths = (find(o, 'Ingress').spec as any).rules.flatMap((r: any) => r.http.paths);
      expect(paths.length).toBeGreaterThan(0);
      for (const p of paths) {
        const { name, port } = p.backend.service;
        const svcPort = (find(o, 'Service', name).spec as any).ports.find((sp: any) => (port.name !== undefined ? sp.name === port.name : sp.port === port.number));
        expect(svcPort, `${p.path} -> ${name}:${port.name ?? port.number}`).toBeDefined();
        expect(svcPort.targetPort, p.path).toBe('http');
        expect([svcPort.targetPort, svcPort.port]).not.toContain('metrics');
        expect([svcPort.targetPort, svcPort.port]).not.toContain(metricsPort.containerPort);
      }
    }
  });
});

describe('Redis and MySQL', () => {
  const objs = render();

  it('Redis: one StatefulSet pod with AOF on a PVC, password from its Secret', () => {
    const sts = find(objs, 'StatefulSet', 'chat-next-chat-redis');
    const s = sts.spec as any;
    const c = s.template.spec.containers[0];
    expect(c.image).toBe('docker.io/library/redis:7.4.2-alpine');
    expect(c.args[0]).toMatch(/--appendonly yes/);
    expect(c.args[0]).toMatch(/--dir \/data/);
    expect(c.args[0]).toMatch(/--requirepass "\$REDIS_PASSWORD"/);
    expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    expect(s.volumeClaimTemplates[0].metadata.name).toBe('data');
    expect(s.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('2Gi');
    expect(c.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true });
    expect(s.serviceName).toBe('chat-next-chat-redis-headless');
    find(objs, 'Service', 'chat-next-chat-redis-headless');
  });

  it('MySQL: one StatefulSet pod with its data on a PVC and MYSQL_* from its Secret', () => {
    const s = find(objs, 'StatefulSet', 'chat-next-chat-mysql').spec as any;
    const c = s.template.spec.containers[0];
    expect(c.image).toBe('docker.io/library/mariadb:11.4.4');
    expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/mysql' });
    expect(s.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('8Gi');
    expect(c.env.map((e: any) => e.name)).toEqual(['MYSQL_ROOT_PASSWORD', 'MYSQL_DATABASE', 'MYSQL_USER', 'MYSQL_PASSWORD']);
    expect(c.readinessProbe.tcpSocket.port).toBe('mysql');
  });

  it('generated passwords are kept across upgrades (lookup) and uninstall (resource-policy keep)', () => {
    for (const name of ['chat-next-chat-auth', 'chat-next-chat-redis', 'chat-next-chat-mysql']) {
      expect(find(objs, 'Secret', name).metadata.annotations!['helm.sh/resource-policy']).toBe('keep');
    }
    const decoded = (name: string) =>
      Object.fromEntries(Object.entries(find(objs, 'Secret', name).data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    const jwt = decoded('chat-next-chat-auth')['jwt-secret'];
    expect(jwt).toMatch(/^[A-Za-z0-9]{64}$/);
    const mysql = decoded('chat-next-chat-mysql');
    expect(mysql['mysql-password']).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(mysql['mysql-url']).toBe(`mysql://next_chat:${mysql['mysql-password']}@chat-next-chat-mysql:3306/next_chat`);
    const redis = decoded('chat-next-chat-redis');
    expect(redis['redis-url']).toBe(`redis://:${redis['redis-password']}@chat-next-chat-redis:6379/0`);
  });

  it('persistence off: emptyDir instead of a PVC', () => {
    const s = find(render(valueSet('trust').args), 'StatefulSet', 'chat-next-chat-redis').spec as any;
    expect(s.volumeClaimTemplates).toBeUndefined();
    expect(s.template.spec.volumes).toContainEqual({ name: 'data', emptyDir: {} });
  });

  it('external value set: no StatefulSets; URLs from a chart Secret or the existing one', () => {
    const ext = render(valueSet('external').args);
    expect(ext.filter((o) => o.kind === 'StatefulSet')).toEqual([]);
    const secret = find(ext, 'Secret', 'chat-next-chat-external').data as Record<string, string>;
    expect(Buffer.from(secret['redis-url'], 'base64').toString()).toBe('rediss://:s3cret@redis.example.com:6380/0');
    expect(secret['mysql-url']).toBeUndefined();
    const env = hub(ext).c.env as any[];
    expect(env.find((e) => e.name === 'NEXT_CHAT_MYSQL_URL').valueFrom.secretKeyRef).toEqual({ name: 'chat-db', key: 'url' });
  });

  it('refuses a disabled store without an external URL, and a URL of the wrong scheme, all at once', () => {
    expect(() =>
      render(['--set', 'redis.enabled=false', '--set', 'mysql.enabled=false', '--set', 'externalRedis.url=http://x']),
    ).toThrow(/(?=[\s\S]*externalRedis.url must start with redis:\/\/)(?=[\s\S]*mysql.enabled=false needs externalMysql.url)/);
  });
});

describe('configurator hook Job', () => {
  const job = find(render(), 'Job', 'chat-next-chat-configurator');

  it('runs after install and upgrade, replaced by the next run, deleted when it succeeded', () => {
    expect(job.metadata.annotations).toMatchObject({
      'helm.sh/hook': 'post-install,post-upgrade',
      'helm.sh/hook-weight': '0',
      'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
    });
    expect(job.spec).toMatchObject({ backoffLimit: 6, activeDeadlineSeconds: 600 });
    const pod = podSpec(job) as any;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.containers[0].image).toBe('ghcr.io/next-chat/next-chat-configurator:0.1.0');
    expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
  });

  it('is left out with configurator.enabled=false', () => {
    expect(render(['--set', 'configurator.enabled=false']).filter((o) => o.kind === 'Job')).toEqual([]);
  });
});

describe('helm test pod and its RBAC', () => {
  const objs = render();
  const pod = find(objs, 'Pod', 'chat-next-chat-test');

  it('is a test hook, kept when it fails', () => {
    expect(pod.metadata.annotations).toMatchObject({
      'helm.sh/hook': 'test',
      'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
    });
    const spec = podSpec(pod) as any;
    expect(spec.restartPolicy).toBe('Never');
    expect(spec.containers[0].image).toBe('ghcr.io/next-chat/next-chat-auto:0.1.0');
  });

  it('runs under its own ServiceAccount, bound to a Role that allows exactly get and list on pods', () => {
    const spec = podSpec(pod);
    expect(spec.serviceAccountName).toBe('chat-next-chat-test');
    expect(spec.automountServiceAccountToken).toBe(true);
    find(objs, 'ServiceAccount', 'chat-next-chat-test');
    const role = find(objs, 'Role', 'chat-next-chat-test') as any;
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]);
    const binding = find(objs, 'RoleBinding', 'chat-next-chat-test') as any;
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'chat-next-chat-test' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'chat-next-chat-test', namespace: 'chat-ns' }]);
    // Nothing else in the chart grants API access.
    expect(objs.filter((o) => /Role|ClusterRole/.test(o.kind)).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Role/chat-next-chat-test',
      'RoleBinding/chat-next-chat-test',
    ]);
  });

  it('is left out with tests.enabled=false, RBAC included', () => {
    const off = render(valueSet('trust').args);
    expect(off.filter((o) => ['Pod', 'Role', 'RoleBinding'].includes(o.kind))).toEqual([]);
    expect(off.filter((o) => o.kind === 'ServiceAccount').map((o) => o.metadata.name)).toEqual(['chat-next-chat']);
  });
});

describe('images', () => {
  it('global.imageRegistry replaces every registry; a digest wins over the tag', () => {
    const objs = render(['--set', 'global.imageRegistry=registry.example.com/team', '--set', 'hub.image.digest=sha256:' + 'a'.repeat(64)]);
    const images = objs.flatMap((o) => (['Deployment', 'StatefulSet', 'Job', 'Pod'].includes(o.kind) ? podSpec(o).containers.map((c) => c.image) : []));
    expect(images.sort()).toEqual(
      [
        `registry.example.com/team/next-chat-hub@sha256:${'a'.repeat(64)}`,
        'registry.example.com/team/library/redis:7.4.2-alpine',
        'registry.example.com/team/library/mariadb:11.4.4',
        'registry.example.com/team/next-chat-configurator:0.1.0',
        'registry.example.com/team/next-chat-auto:0.1.0',
      ].sort(),
    );
  });
});
