import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { built } from '../testing/built-organizations.js';
import { runBinary, runCli as run } from '../testing/cli.js';
import { startStateTable, type LocalStateTable } from '../testing/state-table.js';
import { EXAMPLES_FIXTURE, SPECS_DIR } from '../testing/world.js';

vi.mock('../sim/fixture.js', async (original) => (await import('../testing/built-organizations.js')).rememberOrganizations(original));

const SHOP = `${SPECS_DIR}shop`;
const TABLE = 'maintenance-cli';

let t: LocalStateTable;
beforeAll(async () => {
  t = await startStateTable(TABLE);
});
afterAll(() => t.close());

describe('steady maintenance', () => {
  it('on: writes the window to the state table and switches both entry points at once; status and history say who, why and until when', async () => {
    const on = await run('maintenance', 'on', SHOP, '--env', 'shop-prod', '--for', '2h', '--reason', 'DB upgrade', '--by', 'alice', '--sim', EXAMPLES_FIXTURE, '--table', TABLE);
    expect(on.stderr).toMatch(/^turning maintenance on for shop-prod until 2026-01-01 02:00 UTC in the simulated organisation of 123456789012 \(/);
    expect(on.code).toBe(0);
    expect(on.stdout).toMatch(/^Maintenance shop of shop-prod: on by command \(alice: DB upgrade\) since 2026-01-01 00:00 UTC until 2026-01-01 02:00 UTC\n/);
    expect(on.stdout).toContain('done     switch CloudFront E2QWRUHAPOMQZL to maintenance');
    expect(on.stdout).toContain('done     create maintenance rule 1 on HTTPS:443 of shop-api-alb');
    const memory = await t.store().loadMaintenance('shop-prod');
    expect(memory.shop.override).toEqual({ by: 'alice', reason: 'DB upgrade', at: Date.parse('2026-01-01T00:00:00Z'), until: Date.parse('2026-01-01T02:00:00Z') });
    expect(memory.shop.last).toMatchObject({ state: 'on', source: 'command', by: 'alice', reason: 'DB upgrade' });
    // The distribution's restore record is kept in the table too (a copy of its tags).
    expect(memory.shop.restore?.record.behaviors).toEqual({ '*': 'shop-web', '/_next/static/*': 'shop-web' });

    const status = await run('status', '--table', TABLE, '--env', 'shop-prod');
    expect(status.stdout).toMatch(/Maintenance\/shop +Synced +OnByCommand +\S+ ago +maintenance turned on \(on by command \(alice: DB upgrade\) since 2026-01-01 00:00 UTC until 2026-01-01 02:00 UTC\)/);
    const json = JSON.parse((await run('status', '--table', TABLE, '--env', 'shop-prod', '-o', 'json')).stdout);
    expect(json.resources.find((r: { resource: string }) => r.resource === 'Maintenance/shop').maintenance).toEqual({
      state: 'on',
      source: 'command',
      since: '2026-01-01T00:00:00.000Z',
      by: 'alice',
      reason: 'DB upgrade',
      until: '2026-01-01T02:00:00.000Z',
    });
    const history = await run('history', '--table', TABLE, '--env', 'shop-prod', '--since', '3650d');
    expect(history.stdout).toContain('maintenance shop on by command (alice: DB upgrade) until 2026-01-01 02:00 UTC');
  });

  it('off: ends the window in the table and the pass switches back', async () => {
    // --env takes a pattern that matches one environment; --name takes one value and leaves the path alone.
    const off = await run('maintenance', 'off', '--name', 'shop', SHOP, '--env', 'shop-p*', '--sim', EXAMPLES_FIXTURE, '--table', TABLE, '-o', 'json');
    expect(off.code).toBe(0);
    const doc = JSON.parse(off.stdout);
    expect(doc).toMatchObject({ command: 'maintenance', exitCode: 0, switched: 'off', environment: 'shop-prod', maintenances: [{ name: 'shop', phase: 'Synced', state: 'off' }] });
    expect((await t.store().loadMaintenance('shop-prod')).shop.override).toBeUndefined();
  });

  it('exits 3 and writes nothing when another run holds the lease', async () => {
    const store = t.store();
    const lease = await store.acquireLease('shop-prod', 'lambda:someone-else', 60_000 * 60 * 24 * 365 * 10);
    try {
      const held = await run('maintenance', 'on', SHOP, '--env', 'shop-prod', '--for', '1h', '--reason', 'x', '--sim', EXAMPLES_FIXTURE, '--table', TABLE);
      expect(held.code).toBe(3);
      expect(held.stdout).toMatch(/^Nothing was written or switched: .*lambda:someone-else/);
      expect((await store.loadMaintenance('shop-prod')).shop.override).toBeUndefined();
    } finally {
      await lease.release();
    }
  });

  it.each([
    [['on', SHOP, '--for', '2h', '--reason', 'x', '--sim', EXAMPLES_FIXTURE], 'error: no state table: the maintenance window lives in it; give --table NAME or set STEADY_TABLE'],
    [['on', SHOP, '--reason', 'x', '--table', TABLE], 'error: say how long with --for (30m, 2h, 1d): the window ends by itself'],
    [['on', SHOP, '--for', '2h', '--table', TABLE], 'error: say why with --reason "..." (it is shown in the reports and in steady status)'],
    [['on', SHOP, '--for', '2 weeks', '--reason', 'x', '--table', TABLE], 'error: --for: expected a duration from 1m to 7d such as 30m, 2h or 1d; got "2 weeks"'],
    [['on', SHOP, '--for', '8d', '--reason', 'x', '--table', TABLE], 'error: --for: expected a duration from 1m to 7d such as 30m, 2h or 1d; got "8d"'],
    [['on', SHOP, '--env', 'shop-prod', '--for', '1h', '--reason', 'x', '--name', 'web', '--sim', EXAMPLES_FIXTURE, '--table', TABLE], 'error: environment shop-prod has no Maintenance web (it has: shop)'],
    [['on', SHOP, '--env', 'shop-staging', '--for', '1h', '--reason', 'x', '--sim', EXAMPLES_FIXTURE, '--table', TABLE], 'error: environment shop-staging declares no Maintenance: add one (kind: Maintenance) to its specs first'],
    [['on', SHOP, '--for', '1h', '--reason', 'x', '--sim', EXAMPLES_FIXTURE, '--table', TABLE], 'error: say which environment with --env (shop-prod, shop-staging)'],
    [['on', SHOP, '--env', 'shop-*', '--for', '1h', '--reason', 'x', '--sim', EXAMPLES_FIXTURE, '--table', TABLE], 'error: say which environment with --env (shop-prod, shop-staging)'],
    [
      ['on', SHOP, '--env', 'shop-prod', '--for', '2h', '--reason', 'x', '--no-lease'],
      'error: --no-lease does not apply: the maintenance window lives in the state table, and is written holding its lease; give --table NAME or set STEADY_TABLE',
    ],
    [['off', SHOP, '--env', 'shop-prod', '--sim', EXAMPLES_FIXTURE, '--table', TABLE, '--no-lease'], 'error: give --table (the lease is taken there) or --no-lease, not both'],
    [['off', SHOP, '--env', 'shop-prod', '--sim', EXAMPLES_FIXTURE, '--table', TABLE, '--lease-ttl', '0'], 'error: --lease-ttl 0: expected a number of seconds, at least 1'],
    [['on', `${SPECS_DIR}messaging`, '--for', '1h', '--reason', 'x', '--sim', EXAMPLES_FIXTURE, '--table', TABLE], 'error: environment messaging-prod declares no Maintenance: add one (kind: Maintenance) to its specs first'],
    [['sideways', SHOP, '--table', TABLE], `error: command-argument value 'sideways' is invalid for argument 'on|off'. Allowed choices are on, off.`],
  ])('refuses %j with exit 2, on stderr with the usage line', async (args, said) => {
    const r = await run('maintenance', ...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${said}\nusage: steady maintenance [options] <on|off> [paths...]\n(steady maintenance --help shows the options and examples)\n`);
  });

  it('says so when --env matches no environment (exit 1), and changes nothing', async () => {
    const r = await run('maintenance', 'on', SHOP, '--env', 'shop-dev*', '--for', '1h', '--reason', 'x', '--sim', EXAMPLES_FIXTURE, '--table', TABLE);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('error: no environment shop-dev* in the specs (there are: shop-prod, shop-staging)\n');
    expect((await t.store().loadMaintenance('shop-prod')).shop?.override).toBeUndefined();
  });

  it('takes the lease as reconcile does: with --sim, a table in AWS is refused before anything is written', async () => {
    const real = { AWS_ENDPOINT_URL_DYNAMODB: '', AWS_ENDPOINT_URL: '' };
    const r = await runBinary(['maintenance', 'on', SHOP, '--env', 'shop-prod', '--for', '1h', '--reason', 'x', '--sim', EXAMPLES_FIXTURE, '--table', 'steady-state'], { env: real });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --sim runs against a simulated account, but --table steady-state is a DynamoDB table in AWS/);
  }, 60_000);
});

describe('steady maintenance of an environment whose role cannot be assumed', () => {
  const HOME = '123456789012';
  const LOST = '310987654321';
  const ROLE = `arn:aws:iam::${LOST}:role/steady-target`;
  /** lost-eu, with a Maintenance on its ALB, in an account that has no role steady may assume (AWS says AccessDenied). */
  function lostWorld(): { specs: string; fixture: string } {
    const dir = mkdtempSync(path.join(tmpdir(), 'steady-maintenance-lost-'));
    const fixture = path.join(dir, 'org.yaml');
    writeFileSync(
      fixture,
      `accountId: "${HOME}"\naccounts:\n  - accountId: "${LOST}"\n    elbv2:\n      targetGroups: [{ name: lost-tg }]\n      loadBalancers: [{ name: lost-alb, listeners: [{ port: 443, forward: lost-tg }] }]\n`,
    );
    const specs = path.join(dir, 'specs');
    mkdirSync(specs);
    writeFileSync(
      path.join(specs, 'lost.yaml'),
      `apiVersion: steady.dev/v1alpha1
kind: Environment
metadata: { name: lost-eu }
spec: { region: ap-northeast-1, cluster: lost-eu, account: "${LOST}", roleArn: "${ROLE}", externalId: lost-eu-ext }
---
apiVersion: steady.dev/v1alpha1
kind: Maintenance
metadata: { name: site, environment: lost-eu }
spec:
  maintenance: off
  loadBalancer: { name: lost-alb, listener: { port: 443 }, priority: 1 }
`,
    );
    return { specs, fixture };
  }

  it('exits 1 saying the environment could not be read and why, and writes, switches and records nothing', async () => {
    const { specs, fixture } = lostWorld();
    built.length = 0;

    const on = await run('maintenance', 'on', specs, '--env', 'lost-eu', '--for', '1h', '--reason', 'DB upgrade', '--sim', fixture, '--table', TABLE);

    const denied = `lost-eu could not be read: role ${ROLE} in account ${LOST} could not be assumed: AccessDenied: User: arn:aws:sts::${HOME}:assumed-role/steady-controller/steady is not authorized to perform: sts:AssumeRole on resource: ${ROLE}; nothing was written or switched`;
    expect(on).toEqual({ code: 1, stdout: '', stderr: `error: ${denied}\n` });
    // AWS: one refused AssumeRole with the spec's role and external id, and not one call in the environment's account.
    const [org] = built;
    expect(org.stsCalls.map((c) => [c.operation, c.input.RoleArn, c.input.ExternalId, c.error])).toEqual([['AssumeRole', ROLE, 'lost-eu-ext', 'AccessDenied']]);
    expect(org.account(LOST, 'ap-northeast-1').calls).toEqual([]);
    // The state table: no window, no lease taken, no pass recorded.
    const store = t.store();
    expect(await store.loadMaintenance('lost-eu')).toEqual({});
    expect(await store.readLease('lost-eu')).toBeUndefined();
    expect(await store.lastPass('lost-eu')).toBeUndefined();

    const json = await run('maintenance', 'off', specs, '--env', 'lost-eu', '--sim', fixture, '--table', TABLE, '-o', 'json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      command: 'maintenance',
      exitCode: 1,
      switched: 'off',
      environments: [],
      error: { kind: 'accessDenied', message: denied },
    });
    expect(json.stdout).not.toContain('lost-eu-ext');
  });
});
