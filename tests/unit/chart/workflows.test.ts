/**
 * The GitHub workflows, read: what runs when, against which services, and
 * that every repository file they call exists.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { CHART, ROOT } from './helm.js';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  uses?: string;
  needs?: string | string[];
  services?: Record<string, { image: string; env?: Record<string, string>; ports?: string[] }>;
  env?: Record<string, string>;
  steps?: Step[];
  permissions?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}

const load = (f: string) => YAML.parse(fs.readFileSync(path.join(ROOT, '.github/workflows', f), 'utf8')) as Workflow;
const mergeBuild = load('merge-build.yml');
const ci = load('ci.yml');
const runs = (job: Job) => (job.steps ?? []).map((s) => s.run ?? '').join('\n');
const values = YAML.parse(fs.readFileSync(path.join(CHART, 'values.yaml'), 'utf8'));

describe('merge-build.yml', () => {
  const job = mergeBuild.jobs.test;

  it('runs on pull requests and can be called by ci.yml', () => {
    expect(Object.keys(mergeBuild.on).sort()).toEqual(['pull_request', 'workflow_call']);
  });

  it('tests against Redis and MariaDB service containers of the versions the chart deploys', () => {
    expect(job.services!.redis.image).toBe(`redis:${values.redis.image.tag}`);
    expect(job.services!.mysql.image).toBe(`mariadb:${values.mysql.image.tag}`);
    expect(values.mysql.image.repository).toBe('library/mariadb');
    // The integration setup uses these instead of starting its own servers.
    const setup = fs.readFileSync(path.join(ROOT, 'tests/integration/setup/global-setup.ts'), 'utf8');
    for (const name of ['NEXT_CHAT_TEST_REDIS_URL', 'NEXT_CHAT_TEST_MYSQL_URL']) {
      expect(job.env![name]).toBeTruthy();
      expect(setup).toContain(name);
    }
    expect(job.env!.NEXT_CHAT_TEST_MYSQL_URL).toContain(`:${job.services!.mysql.env!.MARIADB_ROOT_PASSWORD}@`);
  });

  it('installs, builds, runs the unit and integration projects and lints the chart', () => {
    const r = runs(job);
    for (const cmd of [
      'npm ci',
      'npm run build',
      'bash scripts/install-helm.sh',
      'npx vitest run --project unit',
      'npx vitest run --project integration',
      '.tools/bin/helm lint --strict helm/next-chat',
      'node scripts/chart-schema.mjs --check',
      'node scripts/chart-readme.mjs --check',
    ]) {
      expect(r).toContain(cmd);
    }
    expect(r.indexOf('npm ci')).toBeLessThan(r.indexOf('npm run build'));
    expect(r.indexOf('npm run build')).toBeLessThan(r.indexOf('--project unit'));
    const vitestConfig = fs.readFileSync(path.join(ROOT, 'vitest.config.ts'), 'utf8');
    expect(vitestConfig).toContain("name: 'unit'");
    expect(vitestConfig).toContain("name: 'integration'");
  });
});

describe('ci.yml', () => {
  it('runs on v*.*.* tags: the merge-build job first, then the release', () => {
    expect(ci.on).toEqual({ push: { tags: ['v*.*.*'] } });
    expect(ci.jobs.test.uses).toBe('./.github/workflows/merge-build.yml');
    expect(ci.jobs.release.needs).toBe('test');
    expect(ci.jobs.release.permissions).toEqual({ contents: 'write', packages: 'write' });
  });

  it('builds and pushes the images with build.sh and packages the chart with the same version', () => {
    const r = runs(ci.jobs.release);
    expect(r).toMatch(/\.\/build\.sh --registry "\$\{\{ steps\.meta\.outputs\.registry \}\}" --tag "\$\{\{ steps\.meta\.outputs\.version \}\}" .*--push/);
    expect(r).toContain('helm package helm/next-chat --version "$VERSION" --app-version "$VERSION"');
    // The sed that points the packaged chart at the pushed images matches the chart's registry lines.
    const sed = /s\|(registry: [^|$]+)\$\|/.exec(r)![1];
    const lines = fs.readFileSync(path.join(CHART, 'values.yaml'), 'utf8').split('\n').filter((l) => l.trim() === sed);
    expect(lines).toHaveLength(3); // hub, configurator, tests
  });
});

describe('both workflows', () => {
  it('call only repository files that exist', () => {
    const all = [mergeBuild, ci].flatMap((w) => Object.values(w.jobs).map(runs)).join('\n');
    const files = [...all.matchAll(/(?:^|\s)(?:bash |node |\.\/)?((?:scripts\/[\w.-]+)|build\.sh)\b/g)].map((m) => m[1]);
    expect(files.length).toBeGreaterThan(3);
    for (const f of new Set(files)) expect(fs.existsSync(path.join(ROOT, f)), f).toBe(true);
    for (const w of [mergeBuild, ci]) {
      for (const job of Object.values(w.jobs)) {
        if (job.uses?.startsWith('./')) expect(fs.existsSync(path.join(ROOT, job.uses))).toBe(true);
        for (const s of job.steps ?? []) if (s.uses) expect(s.uses, 'pin actions to a major version').toMatch(/^[\w-]+\/[\w-]+@v\d+$/);
      }
    }
  });
});
