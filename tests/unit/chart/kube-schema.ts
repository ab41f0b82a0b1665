/**
 * Checks rendered objects against the Kubernetes API schemas:
 * - kubernetes-models' validate() (types, required fields, formats);
 * - unknown fields, which validate() lets through: every object is written
 *   into a TypeScript file as a literal typed with the model's interface, and
 *   the compiler's excess-property check reports any field the API does not have.
 * ServiceMonitor (a Prometheus Operator CRD, not in kubernetes-models) gets an
 * interface here with the fields the chart may use.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { Pod, Service, ServiceAccount, Secret, ConfigMap } from 'kubernetes-models/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ROOT, type K8sObject } from './helm.js';

interface Model {
  validate(): void;
}
type ModelClass = new (data: never) => Model;

/** apiVersion/kind -> model class and the module + interface name for the type check. */
const KINDS: Record<string, { model?: ModelClass; module: string; iface: string }> = {
  'v1/Pod': { model: Pod, module: 'kubernetes-models/v1', iface: 'IPod' },
  'v1/Service': { model: Service, module: 'kubernetes-models/v1', iface: 'IService' },
  'v1/ServiceAccount': { model: ServiceAccount, module: 'kubernetes-models/v1', iface: 'IServiceAccount' },
  'v1/Secret': { model: Secret, module: 'kubernetes-models/v1', iface: 'ISecret' },
  'v1/ConfigMap': { model: ConfigMap, module: 'kubernetes-models/v1', iface: 'IConfigMap' },
  'apps/v1/Deployment': { model: Deployment, module: 'kubernetes-models/apps/v1', iface: 'IDeployment' },
  'apps/v1/StatefulSet': { model: StatefulSet, module: 'kubernetes-models/apps/v1', iface: 'IStatefulSet' },
  'batch/v1/Job': { model: Job, module: 'kubernetes-models/batch/v1', iface: 'IJob' },
  'policy/v1/PodDisruptionBudget': { model: PodDisruptionBudget, module: 'kubernetes-models/policy/v1', iface: 'IPodDisruptionBudget' },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    model: HorizontalPodAutoscaler,
    module: 'kubernetes-models/autoscaling/v2',
    iface: 'IHorizontalPodAutoscaler',
  },
  'networking.k8s.io/v1/Ingress': { model: Ingress, module: 'kubernetes-models/networking.k8s.io/v1', iface: 'IIngress' },
  'rbac.authorization.k8s.io/v1/Role': { model: Role, module: 'kubernetes-models/rbac.authorization.k8s.io/v1', iface: 'IRole' },
  'rbac.authorization.k8s.io/v1/RoleBinding': {
    model: RoleBinding,
    module: 'kubernetes-models/rbac.authorization.k8s.io/v1',
    iface: 'IRoleBinding',
  },
  'monitoring.coreos.com/v1/ServiceMonitor': { module: '', iface: 'IServiceMonitor' },
};

const SERVICE_MONITOR = `
import type { IIoK8sApimachineryPkgApisMetaV1ObjectMeta as ObjectMeta, IIoK8sApimachineryPkgApisMetaV1LabelSelector as LabelSelector } from '@kubernetes-models/apimachinery/apis/meta/v1';
interface IServiceMonitor {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'ServiceMonitor';
  metadata: ObjectMeta;
  spec: {
    selector: LabelSelector;
    namespaceSelector?: { any?: boolean; matchNames?: string[] };
    jobLabel?: string;
    endpoints: { port?: string; path?: string; scheme?: 'http' | 'https'; interval?: string; scrapeTimeout?: string; honorLabels?: boolean }[];
  };
}
`;

export function kindKey(o: K8sObject): string {
  return `${o.apiVersion}/${o.kind}`;
}

/** kubernetes-models validate(); returns the problems, one per object. */
export function validateModels(objs: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const o of objs) {
    const k = KINDS[kindKey(o)];
    if (!k) {
      problems.push(`${kindKey(o)} ${o.metadata.name}: kind not known to the chart tests`);
      continue;
    }
    if (!k.model) continue;
    try {
      new k.model(o as never).validate();
    } catch (e) {
      problems.push(`${kindKey(o)} ${o.metadata.name}: ${(e as Error).message}`);
    }
  }
  return problems;
}

/**
 * Type-checks every object of every set as a literal of its API interface in
 * one compiler run; returns the diagnostics (unknown fields, wrong types).
 */
let runs = 0;

export function typeCheck(sets: { name: string; objs: K8sObject[] }[]): string[] {
  const dir = path.join(ROOT, '.tmp/chart-typecheck');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `rendered-${process.pid}-${++runs}.ts`);
  const modules = new Map<string, Set<string>>();
  const lines: string[] = [];
  sets.forEach(({ name, objs }, s) => {
    objs.forEach((o, i) => {
      const k = KINDS[kindKey(o)];
      if (!k) return;
      if (k.module) {
        if (!modules.has(k.module)) modules.set(k.module, new Set());
        modules.get(k.module)!.add(k.iface);
      }
      lines.push(`// ${name}: ${kindKey(o)} ${o.metadata.name}`);
      lines.push(`export const o${s}_${i}: ${k.iface} = ${JSON.stringify(o, null, 1)};`);
    });
  });
  const imports = [...modules].map(([m, names]) => `import type { ${[...names].join(', ')} } from '${m}';`);
  fs.writeFileSync(file, [...imports, SERVICE_MONITOR, ...lines].join('\n') + '\n');
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
  });
  const text = fs.readFileSync(file, 'utf8').split('\n');
  const diagnostics = ts.getPreEmitDiagnostics(program);
  fs.rmSync(file);
  return diagnostics.map((d) => {
    const msg = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return msg;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    // Name the object: the nearest "// set: kind name" comment above the line.
    let j = line;
    while (j > 0 && !text[j].startsWith('// ')) j--;
    return `${text[j]?.slice(3) ?? '?'} (line ${line + 1}): ${msg}`;
  });
}
