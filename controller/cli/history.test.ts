import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStateTable, type LocalStateTable } from '../testing/state-table.js';
import { EXAMPLES_FIXTURE, SPECS_DIR } from '../testing/world.js';
import { runCli } from '../testing/cli.js';

const run = runCli;

let t: LocalStateTable;
beforeAll(async () => {
  t = await startStateTable('cli-state');
});
afterAll(() => t.close());

describe('steady status, history and report --last', () => {
  it('show what a recorded pass left in the state table', async () => {
    const reconciled = await run('reconcile', `${SPECS_DIR}shop`, '--sim', EXAMPLES_FIXTURE, '--table', 'cli-state');
    expect(reconciled.code).toBe(0);

    const status = await run('status', '--table', 'cli-state', '--env', 'shop-prod');
    expect(status.code).toBe(0);
    for (const resource of ['Service/api', 'Migration/db-migrate', 'AliasRecord/api-dns', 'AliasRecord/apex-dns']) expect(status.stdout).toContain(resource);

    const history = await run('history', '--table', 'cli-state', '--env', 'shop-prod', '--since', '3650d', '-o', 'json');
    expect(history.code).toBe(0);
    expect(JSON.parse(history.stdout).passes).toHaveLength(1);

    const report = await run('report', '--last', '--table', 'cli-state', '--env', 'shop-prod');
    expect(report.code).toBe(0);
    expect(report.stdout.split('\n')[0]).toBe('shop-prod: Converging: 3 registered, 1 created, 1 migration run, 1 schedule group created, 1 schedule created, 2 records changed. 2 converging, 4 created.');
  });

  it('take --env names and patterns, matched against the environments the table has recorded; one that matches none is an error', async () => {
    // The first test recorded a pass of each environment of specs/shop: shop-prod and shop-staging.
    const status = JSON.parse((await run('status', '--table', 'cli-state', '--env', 'shop-*', '-o', 'json')).stdout);
    expect([...new Set(status.resources.map((r: { environment: string }) => r.environment))]).toEqual(['shop-prod', 'shop-staging']);

    const history = JSON.parse((await run('history', '--table', 'cli-state', '--env', '*-staging', '--since', '3650d', '-o', 'json')).stdout);
    expect(history.passes.map((p: { environment: string }) => p.environment)).toEqual(['shop-staging']);

    const report = await run('report', '--table', 'cli-state', '--env', 'shop-pro?,shop-staging');
    expect(report.code).toBe(0);
    expect(report.stdout.split('\n').filter((l) => /^shop-\w+: /.test(l)).map((l) => l.split(':')[0])).toEqual(['shop-prod', 'shop-staging']);

    const none = await run('status', '--table', 'cli-state', '--env', 'billing-*', '--env', 'shop-prod');
    expect(none).toEqual({ code: 1, stdout: '', stderr: 'error: no environment billing-* in table cli-state (it has passes of: shop-prod, shop-staging)\n' });
    const json = await run('history', '--table', 'cli-state', '--env', 'shop-dev', '-o', 'json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ command: 'history', exitCode: 1, error: { kind: 'unknownEnvironment', message: 'no environment shop-dev in table cli-state (it has passes of: shop-prod, shop-staging)' } });
  });

  it('status across several environments prints one line per environment first: its last verdict and its resources by phase', async () => {
    // The first test recorded a pass of each environment of specs/shop.
    const { code, stdout } = await run('status', '--table', 'cli-state');

    expect(code).toBe(0);
    expect(stdout.split('\n').slice(0, 4)).toEqual(['shop-prod     converging  5 Synced, 2 Progressing', 'shop-staging  converging  3 Synced, 2 Progressing', '', expect.stringMatching(/^ENVIRONMENT +RESOURCE +PHASE/)]);

    const one = await run('status', '--table', 'cli-state', '--env', 'shop-prod');
    expect(one.stdout.split('\n')[0]).toMatch(/^RESOURCE +PHASE +REASON/);
  });

  it('write the status page with --html and say where it is', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'steady-status-'));
    try {
      const page = await run('status', '--table', 'cli-state', '--html', dir);
      expect(page.code).toBe(0);
      const file = path.join(dir, 'index.html');
      expect(page.stdout).toBe(`Status page: ${file}\nOpen it in a browser: ${pathToFileURL(file).href}\n`);
      const html = readFileSync(file, 'utf8');
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).toContain('<h2 id="env-shop-prod-h">shop-prod');
      expect(html).toContain('Migration/db-migrate');

      const json = await run('status', '--table', 'cli-state', '--env', 'shop-prod', '--html', path.join(dir, 'one'), '-o', 'json');
      expect(JSON.parse(json.stdout)).toEqual({ formatVersion: 1, command: 'status', exitCode: 0, resources: [], page: path.join(dir, 'one', 'index.html') });

      const bad = await run('status', '--table', 'cli-state', '--html', dir, '--since', 'yesterday');
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^error: --since: expected a duration.*\nusage: steady status \[options\]\n/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('say plainly when no table is given: a usage error', async () => {
    const { code, stderr } = await run('status');
    expect(code).toBe(2);
    expect(stderr).toBe('error: no state table: give --table NAME or set STEADY_TABLE\nusage: steady status [options]\n(steady status --help shows the options and examples)\n');
  });
});
