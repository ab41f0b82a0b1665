/**
 * values.yaml, values.schema.json and the README's values table describe the
 * same values: every value has a `## @param` line, the schema has every value
 * (with that description and default) and refuses unknown keys, and the README
 * table is the one scripts/chart-readme.mjs writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
// @ts-expect-error -- plain JavaScript modules without types
import { parseParams, readmeWithTable, valueAt, valuesTable } from '../../../scripts/chart-readme.mjs';
// @ts-expect-error -- plain JavaScript modules without types
import { buildSchema } from '../../../scripts/chart-schema.mjs';
import { CHART, render } from './helm.js';

const valuesText = fs.readFileSync(path.join(CHART, 'values.yaml'), 'utf8');
const values = YAML.parse(valuesText) as Record<string, unknown>;
const schema = JSON.parse(fs.readFileSync(path.join(CHART, 'values.schema.json'), 'utf8'));
const params: { key: string; description: string }[] = parseParams(valuesText).flatMap((s: { params: unknown[] }) => s.params);
const paramKeys = new Set(params.map((p) => p.key));

interface SchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
}

function schemaAt(key: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = schema;
  for (const part of key.split('.')) node = node?.properties?.[part];
  return node;
}

/** Paths of the values that need a @param: leaves, and objects that have one (free-form maps). */
function documentedPaths(v: unknown, prefix = ''): string[] {
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && !paramKeys.has(prefix)) {
    return Object.entries(v).flatMap(([k, c]) => documentedPaths(c, prefix ? `${prefix}.${k}` : k));
  }
  return [prefix];
}

describe('values.yaml', () => {
  it('every value has a @param line and every @param names a value', () => {
    expect(documentedPaths(values).filter((p) => !paramKeys.has(p))).toEqual([]);
    for (const p of params) expect(() => valueAt(values, p.key)).not.toThrow();
    expect(params.length).toBe(paramKeys.size);
  });
});

describe('values.schema.json', () => {
  it('is the one scripts/chart-schema.mjs writes from values.yaml (run it after changing values)', () => {
    expect(JSON.parse(buildSchema(valuesText))).toEqual(schema);
  });

  it('has every @param with its description and default', () => {
    for (const p of params) {
      const node = schemaAt(p.key);
      expect(node, p.key).toBeDefined();
      expect(node!.description, p.key).toBe(p.description);
      expect(node!.default, p.key).toEqual(valueAt(values, p.key));
    }
  });

  it('refuses unknown keys at every level the chart owns', () => {
    const walk = (v: unknown, node: SchemaNode, at: string) => {
      if (paramKeys.has(at) || v === null || typeof v !== 'object' || Array.isArray(v)) return;
      expect(node.additionalProperties, at || '(root)').toBe(false);
      expect(Object.keys(node.properties ?? {}).sort(), at || '(root)').toEqual(Object.keys(v).sort());
      for (const [k, c] of Object.entries(v)) walk(c, node.properties![k], at ? `${at}.${k}` : k);
    };
    walk(values, schema, '');
    expect(() => render(['--set', 'hub.replicas=3'])).toThrow(/additional properties 'replicas' not allowed/);
  });

  it('refuses bad values', () => {
    expect(() => render(['--set', 'auth.mode=magic'])).toThrow(/auth\/mode/);
    expect(() => render(['--set', 'hub.config.extra.pingIntervalMsec=1'])).toThrow(/pingIntervalMsec/);
    expect(() => render(['--set', 'redis.persistence.size=lots'])).toThrow(/persistence\/size/);
  });
});

describe('README.md', () => {
  it('has the values table written from the @param lines (node scripts/chart-readme.mjs)', () => {
    const readme = fs.readFileSync(path.join(CHART, 'README.md'), 'utf8');
    expect(readme).toBe(readmeWithTable(readme, valuesTable(valuesText)));
    for (const p of params) expect(readme).toContain(`| \`${p.key}\` |`);
  });
});
