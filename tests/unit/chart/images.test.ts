/**
 * docker/Dockerfile and build.sh, read and run without a Docker engine: the
 * Dockerfile covers every workspace and starts the right bins; build.sh (with
 * a stand-in `docker` that records its arguments) tags the images with the
 * names the chart pulls.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, podSpec, render } from './helm.js';

const dockerfile = fs.readFileSync(path.join(ROOT, 'docker/Dockerfile'), 'utf8');
const rootPkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[]; version: string };
const pkg = (dir: string) => JSON.parse(fs.readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')) as { name: string; bin?: Record<string, string> };

/** The lines of one stage, `FROM ... AS name` up to the next FROM. */
function stage(name: string): string[] {
  const lines = dockerfile.split('\n');
  const start = lines.findIndex((l) => new RegExp(`^FROM .* AS ${name}$`).test(l));
  if (start < 0) throw new Error(`no stage ${name}`);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('FROM '));
  return lines.slice(start, end < 0 ? undefined : end);
}

const TARGETS = [
  { target: 'hub', dir: 'packages/server', bin: 'next-chat-server' },
  { target: 'configurator', dir: 'configurator', bin: 'next-chat-configurator' },
  { target: 'auto', dir: 'tests/auto', bin: 'next-chat-auto' },
];

describe('docker/Dockerfile', () => {
  it('copies the manifest of every workspace before npm ci (the lockfile needs them all)', () => {
    const copied = stage('manifests')
      .map((l) => /^COPY (\S+)\/package\.json /.exec(l)?.[1])
      .filter(Boolean);
    expect(copied.sort()).toEqual([...rootPkg.workspaces].sort());
  });

  it.each(TARGETS)('$target: production dependencies of its workspace only, runs its bin as a non-root user', ({ target, dir, bin }) => {
    const p = pkg(dir);
    expect(stage(`${target}-deps`).join('\n')).toContain(`npm ci --omit=dev --ignore-scripts --workspace ${p.name} --include-workspace-root=false`);
    const lines = stage(target);
    expect(lines[0]).toBe(`FROM runtime AS ${target}`);
    expect(lines).toContain(`COPY --from=${target}-deps /app /app`);
    const entry = path.posix.join(dir, p.bin![bin]);
    expect(lines).toContain(`ENTRYPOINT ["node", "${entry}"]`);
    expect(fs.existsSync(path.join(ROOT, entry))).toBe(true);
    expect(lines).toContain(`COPY --from=build /app/${dir}/dist ${dir}/dist`);
    expect(stage('runtime')).toContain('USER node');
  });

  it('the hub image has the Lua scripts the Redis engine loads at run time', () => {
    expect(fs.existsSync(path.join(ROOT, 'packages/server/lua'))).toBe(true);
    expect(stage('hub')).toContain('COPY --from=build /app/packages/server/lua packages/server/lua');
  });
});

describe('build.sh', () => {
  function run(args: string[]): { calls: string[][]; out: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'build-sh-'));
    const log = path.join(dir, 'calls');
    fs.writeFileSync(path.join(dir, 'docker'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\n`, { mode: 0o755 });
    try {
      const out = execFileSync(path.join(ROOT, 'build.sh'), args, {
        cwd: ROOT,
        env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, NEXT_CHAT_REGISTRY: '', NEXT_CHAT_TAG: '' },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const calls = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split(' ')) : [];
      return { calls, out };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const tagOf = (call: string[]) => call[call.indexOf('--tag') + 1];

  it('builds the three targets with the names and tag the chart pulls by default', () => {
    const { calls } = run([]);
    expect(calls.map((c) => [c[0], c[c.indexOf('--target') + 1], tagOf(c), c.at(-1)])).toEqual(
      TARGETS.map(({ target }) => ['build', target, `ghcr.io/next-chat/next-chat-${target}:${rootPkg.version}`, ROOT]),
    );
    const chartImages = render().flatMap((o) =>
      ['Deployment', 'Job', 'Pod'].includes(o.kind) ? podSpec(o).containers.map((c) => c.image) : [],
    );
    expect(chartImages.sort()).toEqual(calls.map(tagOf).sort());
  });

  it('--registry, --tag and --push: builds then pushes each image', () => {
    const { calls } = run(['--registry', 'registry.example.com/team/', '--tag', '1.2.3', '--push', '--only', 'hub']);
    expect(calls.map((c) => (c[0] === 'push' ? c : [c[0], tagOf(c)]))).toEqual([
      ['build', 'registry.example.com/team/next-chat-hub:1.2.3'],
      ['push', 'registry.example.com/team/next-chat-hub:1.2.3'],
    ]);
  });

  it('refuses unknown options and bad tags with exit status 2', () => {
    for (const args of [['--bogus'], ['--tag', 'a b'], ['--only', 'db']]) {
      expect(() => run(args)).toThrow(expect.objectContaining({ status: 2 }));
    }
  });
});
