/**
 * Runs helm (from scripts/install-helm.sh, or $HELM) on helm/next-chat and
 * parses what it renders. No cluster: `helm template` and `helm install
 * --dry-run=client` only.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CHART = path.join(ROOT, 'helm/next-chat');
export const RELEASE = 'chat';
export const NAMESPACE = 'chat-ns';

export function helmPath(): string {
  const p = process.env.HELM ?? path.join(ROOT, '.tools/bin/helm');
  if (!fs.existsSync(p)) {
    throw new Error(`helm not found at ${p}: run scripts/install-helm.sh first (or set HELM=/path/to/helm, v3.8+)`);
  }
  return p;
}

export function helm(args: string[]): string {
  try {
    return execFileSync(helmPath(), args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`helm ${args.join(' ')} failed:\n${err.stderr || err.stdout || err.message}`);
  }
}

/** A value set: a name and the helm flags that select it. */
export interface ValueSet {
  name: string;
  args: string[];
}

/** The defaults and every ci/*-values.yaml of the chart. */
export const VALUE_SETS: ValueSet[] = [
  { name: 'defaults', args: [] },
  ...fs
    .readdirSync(path.join(CHART, 'ci'))
    .filter((f) => f.endsWith('-values.yaml'))
    .sort()
    .map((f) => ({ name: f.replace(/-values\.yaml$/, ''), args: ['-f', path.join(CHART, 'ci', f)] })),
];

export function valueSet(name: string): ValueSet {
  const s = VALUE_SETS.find((v) => v.name === name);
  if (!s) throw new Error(`no value set ${name}`);
  return s;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export function parseManifests(text: string): K8sObject[] {
  return YAML.parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`rendered YAML does not parse: ${d.errors[0].message}`);
      return d.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

const cache = new Map<string, K8sObject[]>();

/** Renders the chart with the given helm flags (cached per flag list). */
export function render(args: string[] = []): K8sObject[] {
  const key = args.join('\0');
  let objs = cache.get(key);
  if (!objs) {
    objs = parseManifests(helm(['template', RELEASE, CHART, '--namespace', NAMESPACE, ...args]));
    cache.set(key, objs);
  }
  return objs;
}

/** The rendered NOTES.txt (helm install --dry-run=client prints it). */
export function renderNotes(args: string[] = []): string {
  const out = helm(['install', RELEASE, CHART, '--namespace', NAMESPACE, '--dry-run=client', ...args]);
  const i = out.indexOf('\nNOTES:\n');
  if (i < 0) throw new Error('no NOTES in helm install --dry-run output');
  return out.slice(i + '\nNOTES:\n'.length);
}

export function find(objs: K8sObject[], kind: string, name?: string): K8sObject {
  const o = objs.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  if (!o) throw new Error(`no ${kind}${name ? ` ${name}` : ''} rendered`);
  return o;
}

export interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; fieldRef?: { fieldPath: string } };
  }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  [key: string]: unknown;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  serviceAccountName?: string;
  [key: string]: unknown;
}

/** The pod spec of a workload (Pod, Deployment, StatefulSet, Job). */
export function podSpec(o: K8sObject): PodSpec {
  const spec = o.spec as { template?: { spec: PodSpec } } & PodSpec;
  return o.kind === 'Pod' ? spec : spec.template!.spec;
}

/**
 * The environment a container gets, resolved against the rendered Secrets and
 * ConfigMaps; a reference to a Secret the chart does not render (an existing
 * one) resolves through `external`, which must know it unless the reference
 * is optional.
 */
export function resolveEnv(
  objs: K8sObject[],
  c: Container,
  external: (secret: string, key: string) => string | undefined = () => undefined,
): Record<string, string> {
  const env: Record<string, string> = {};
  const data = (kind: 'Secret' | 'ConfigMap', name: string): Record<string, string> | undefined => {
    const o = objs.find((x) => x.kind === kind && x.metadata.name === name) as { data?: Record<string, string> } | undefined;
    if (!o) return undefined;
    const d = o.data ?? {};
    return kind === 'Secret' ? Object.fromEntries(Object.entries(d).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])) : d;
  };
  for (const from of c.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    const d = data(from.configMapRef ? 'ConfigMap' : 'Secret', ref!.name);
    if (!d) throw new Error(`${c.name}: envFrom ${ref!.name} is not rendered`);
    Object.assign(env, d);
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.secretKeyRef) {
      const { name, key, optional } = e.valueFrom.secretKeyRef;
      const d = data('Secret', name);
      const v = d ? d[key] : external(name, key);
      if (v === undefined && optional) continue; // Kubernetes leaves the variable unset
      if (v === undefined) throw new Error(`${c.name}: ${e.name} refers to secret ${name} key ${key}, which is neither rendered nor given`);
      env[e.name] = v;
    } else if (e.valueFrom?.fieldRef) env[e.name] = `field:${e.valueFrom.fieldRef.fieldPath}`;
    else throw new Error(`${c.name}: ${e.name} has no value this test understands`);
  }
  return env;
}
