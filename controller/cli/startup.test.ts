/**
 * `steady --help` and `--version` load only the command definitions: commander and a few small
 * modules, never a command's code, the AWS SDK, zod or yaml. Checked on the very bundle
 * bin/steady.js starts from (bin/fast-start.js), and through the real binary. How fast that is,
 * is measured by `npm run bench` (bench/startup.ts), not here.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleOptions } from '../../bin/fast-start.js';
import { runBinary } from '../testing/cli.js';

const cache = mkdtempSync(path.join(tmpdir(), 'steady-startup-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

let meta: Metafile;
beforeAll(async () => {
  const result = await build(bundleOptions(path.join(cache, 'probe.mjs')));
  meta = result.metafile!;
});

describe('the bundle --help and --version start from', () => {
  it('holds no command code and no heavy package: only commander, picocolors and the definitions', () => {
    const inputs = Object.keys(meta.inputs);
    const packages = new Set(inputs.filter((i) => i.startsWith('node_modules/')).map((i) => i.split('/')[1]));

    expect([...packages].sort()).toEqual(['commander', 'picocolors']);
    const code = inputs.filter((i) => i.startsWith('controller/'));
    expect(code).toContain('controller/cli/commands/plan.ts');
    for (const heavy of ['controller/cli/reconcile.ts', 'controller/cli/validate.ts', 'controller/spec/load.ts', 'controller/spec/schema.ts', 'controller/pass.ts', 'controller/aws/clients.ts', 'controller/cli/maintenance.ts']) {
      expect(code).not.toContain(heavy);
    }
  });

  it('imports each command from its TypeScript source when it runs', () => {
    const [output] = Object.values(meta.outputs);
    const lazy = output.imports.filter((i) => i.kind === 'dynamic-import').map((i) => path.basename(i.path));

    expect(lazy.sort()).toEqual(['apply.ts', 'commits.ts', 'demo.ts', 'diff.ts', 'history.ts', 'history.ts', 'history.ts', 'import.ts', 'maintenance.ts', 'reconcile.ts', 'reconcile.ts', 'render.ts', 'retry.ts', 'validate.ts', 'verify.ts']);
  });
});

describe('bin/steady.js', () => {
  const env = { XDG_CACHE_HOME: cache };
  const version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

  it('prints its version and its help from the cached bundle, and rebuilds it when a source changes', async () => {
    const first = await runBinary(['--version'], { env });
    expect(first).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    const [dir] = (await import('node:fs')).readdirSync(path.join(cache, 'steady')).map((d) => path.join(cache, 'steady', d));
    const manifestFile = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    expect(Object.keys(manifest.inputs)).toContain('controller/cli/commands/plan.ts');

    // As if commands/plan.ts had changed since the bundle was built: the next start rebuilds it.
    writeFileSync(manifestFile, JSON.stringify({ ...manifest, inputs: { ...manifest.inputs, 'controller/cli/commands/plan.ts': 'stale' } }));
    const help = await runBinary(['plan', '--help'], { env });
    expect(help.code).toBe(0);
    expect(help.stdout.split('\n')[0]).toBe('Usage: steady plan [options] [paths...]');
    expect(JSON.parse(readFileSync(manifestFile, 'utf8')).inputs['controller/cli/commands/plan.ts']).toBe(manifest.inputs['controller/cli/commands/plan.ts']);
  });

  it('runs the same without the bundle (STEADY_FAST_START=0): everything through tsx', async () => {
    const { code, stdout, stderr } = await runBinary(['--version'], { env: { ...env, STEADY_FAST_START: '0' } });
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('runs a command from the bundle: its code is imported then, through tsx', async () => {
    const { code, stdout, stderr } = await runBinary(['validate', 'specs/shop'], { env, cwd: path.resolve(__dirname, '../..') });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe('✓ shop-prod     1 service, 1 migration, 1 scheduled task, 2 alias records\n✓ shop-staging  1 service, 1 migration, 1 scheduled task, 1 alias record\n2 environments, 9 resources valid\n');
  });
});
