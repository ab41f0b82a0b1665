#!/usr/bin/env node
// Writes the values table of helm/next-chat/README.md from the `## @section`
// and `## @param key Description` lines of values.yaml (Bitnami's habit).
// `--check` only compares and exits 1 when the README is out of date.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const CHART = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../helm/next-chat');
const START = '<!-- values-table:start (scripts/chart-readme.mjs writes this part) -->';
const END = '<!-- values-table:end -->';

/** [{ section, params: [{ key, description }] }] in file order. */
export function parseParams(valuesText) {
  const sections = [];
  for (const line of valuesText.split('\n')) {
    const s = /^\s*## @section (.+)$/.exec(line);
    if (s) sections.push({ section: s[1].trim(), params: [] });
    const p = /^\s*## @param (\S+) (.+)$/.exec(line);
    if (p) {
      if (sections.length === 0) throw new Error(`@param ${p[1]} before any @section`);
      sections.at(-1).params.push({ key: p[1], description: p[2].trim() });
    }
  }
  return sections;
}

export function valueAt(values, key) {
  let v = values;
  for (const part of key.split('.')) {
    if (v === null || typeof v !== 'object' || !(part in v)) throw new Error(`@param ${key}: no such value`);
    v = v[part];
  }
  return v;
}

export function valuesTable(valuesText) {
  const values = YAML.parse(valuesText);
  const cell = (s) => s.replace(/\|/g, '\\|');
  const out = [];
  for (const { section, params } of parseParams(valuesText)) {
    out.push(`### ${section}`, '', '| Name | Description | Value |', '| --- | --- | --- |');
    for (const { key, description } of params) {
      out.push(`| \`${key}\` | ${cell(description)} | \`${cell(JSON.stringify(valueAt(values, key)))}\` |`);
    }
    out.push('');
  }
  return out.join('\n').trimEnd();
}

export function readmeWithTable(readme, table) {
  const i = readme.indexOf(START);
  const j = readme.indexOf(END);
  if (i < 0 || j < i) throw new Error(`README.md lacks the markers ${START} ... ${END}`);
  return `${readme.slice(0, i + START.length)}\n\n${table}\n\n${readme.slice(j)}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const readmePath = path.join(CHART, 'README.md');
  const readme = fs.readFileSync(readmePath, 'utf8');
  const next = readmeWithTable(readme, valuesTable(fs.readFileSync(path.join(CHART, 'values.yaml'), 'utf8')));
  if (process.argv.includes('--check')) {
    if (next !== readme) {
      console.error('helm/next-chat/README.md values table is out of date: run node scripts/chart-readme.mjs');
      process.exit(1);
    }
  } else if (next !== readme) {
    fs.writeFileSync(readmePath, next);
    console.log('updated helm/next-chat/README.md');
  }
}
