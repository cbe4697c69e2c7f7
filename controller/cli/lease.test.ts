/**
 * Issue 15, items 4 and 5, through the real binary: one writer per environment among real
 * `steady` processes racing on the local DynamoDB server (dynalite, behind a gate that can hold a
 * holder inside its pass), a `kill -9`ed holder taken over once its short lease runs out, Ctrl-C
 * releasing the lease, commands that change AWS refusing to run without a lease unless told
 * `--no-lease`, and `--sim` never reaching a real AWS service.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateStore } from '../state/store.js';
import { createStateTable } from '../state/table.js';
import { runBinary, spawnBinary, type SteadyProcess } from '../testing/cli.js';
import { startGate, type Gate } from '../testing/gate.js';
import { startStateTable, type LocalStateTable } from '../testing/state-table.js';
import { EXAMPLES_FIXTURE, SPECS_DIR } from '../testing/world.js';

const SHOP = `${SPECS_DIR}shop`;
/** The shop example renders shop-prod and shop-staging (overlays); these tests race for one environment's lease. */
const SHOP_PROD = [SHOP, '--env', 'shop-prod'];
/** Every AWS service but DynamoDB on a closed port: a real pass that cannot read AWS. */
const CLOSED = 'http://127.0.0.1:1';

let table: LocalStateTable;
let gate: Gate;
let tables = 0;
beforeAll(async () => {
  table = await startStateTable('lease-cli');
  gate = await startGate(table.server.endpoint);
});
afterAll(async () => {
  await gate.stop();
  await table.close();
});

/** A fresh state table on the local server, so each test's leases are its own. */
async function freshTable(): Promise<string> {
  const name = `lease-cli-${++tables}`;
  await createStateTable(table.client, name);
  return name;
}

/** The processes reach DynamoDB through the gate. */
const THROUGH_GATE = () => ({ AWS_ENDPOINT_URL_DYNAMODB: gate.endpoint });
const isRelease = (r: { target: string; body: string }) => r.target.endsWith('UpdateItem') && r.body.includes('releasedAt = :now');
const isMigrationClaim = (r: { target: string; body: string }) => r.target.endsWith('PutItem') && r.body.includes('"claimed"');
const pidOf = (p: SteadyProcess) => p.child.pid!;
const holderPid = (text: string) => Number(/held by cli:[^ ]*:(\d+) until/.exec(text)?.[1]);

/**
 * Starts `n` racing processes and holds the release of whoever gets the lease until every other
 * process has finished: a lease that let two writers in would show two held releases.
 */
async function race(n: number, args: string[], env: Record<string, string>) {
  let exited = 0;
  gate.close(isRelease);
  const processes = Array.from({ length: n }, () => spawnBinary(args, { env }));
  for (const p of processes) {
    void p.exited.then(() => {
      exited++;
      gate.recheck();
    });
  }
  await gate.waitFor(n, () => exited + gate.held() >= n);
  const holders = gate.held();
  gate.open();
  const results = await Promise.all(processes.map((p) => p.exited));
  return { holders, processes, results };
}

describe('one writer per environment among real processes', () => {
  it.each([
    ['with --sim', ['--sim', EXAMPLES_FIXTURE], {}],
    ['without --sim (AWS unreadable, the lease still taken)', [], { AWS_ENDPOINT_URL: CLOSED }],
  ] as const)('10 racing `steady reconcile --table` processes, %s: exactly one holds the lease, nine are skipped naming it', async (_, extra, env) => {
    const name = await freshTable();
    const { holders, processes, results } = await race(10, ['reconcile', ...SHOP_PROD, '--table', name, ...extra, '-o', 'json'], { ...THROUGH_GATE(), ...env });

    expect(holders).toBe(1);
    const docs = results.map((r) => JSON.parse(r.stdout));
    const held = docs.map((d, i) => ({ d, i })).filter(({ d }) => d.environments[0].lease?.state === 'held');
    expect(held).toHaveLength(1);
    const winner = processes[held[0].i];
    expect(held[0].d.environments[0].lease).toMatchObject({ state: 'held', table: name, end: 'released' });
    expect(held[0].d.environments[0].lease.holder).toMatch(new RegExp(`:${pidOf(winner)}$`));
    const skipped = results.filter((r) => r.code === 3);
    expect(skipped).toHaveLength(9);
    for (const r of skipped) {
      expect(JSON.parse(r.stdout).environments[0]).toMatchObject({ verdict: 'skipped', skipped: 'leaseHeld' });
      expect(holderPid(r.stdout)).toBe(pidOf(winner));
    }
    // The winner's pass is the one recorded.
    const passes = await new StateStore({ client: table.client, tableName: name, clock: table.clock }).listPasses('shop-prod', 0);
    expect(passes).toHaveLength(1);
  }, 180_000);

  it('a `kill -9`ed holder is taken over once its short lease runs out, not before', async () => {
    const name = await freshTable();
    const args = ['reconcile', ...SHOP_PROD, '--sim', EXAMPLES_FIXTURE, '--table', name, '--lease-ttl', '3', '-o', 'json'];
    gate.close(isRelease);
    const holder = spawnBinary(args, { env: THROUGH_GATE() });
    await gate.waitFor(1);
    holder.child.kill('SIGKILL');
    const killedAt = Date.now();
    await holder.exited;
    gate.open();

    // Right after the kill the lease is still the dead holder's, and nobody else gets it.
    const store = new StateStore({ client: table.client, tableName: name, clock: table.clock, leaseSafetyMarginMs: 500 });
    const dead = (await store.readLease('shop-prod'))!;
    expect(dead).toMatchObject({ state: 'held', version: 1 });
    expect(dead.holder).toMatch(new RegExp(`:${pidOf(holder)}$`));
    await expect(store.acquireLease('shop-prod', 'test:challenger', 3_000)).rejects.toThrow(`lease for environment shop-prod is held by ${dead.holder} until`);
    const expiresAt = dead.expiresAt;
    // The killed holder's lease ends at most one TTL after it was last renewed (before the kill).
    expect(expiresAt - killedAt).toBeLessThanOrEqual(3_000);

    // A wall-clock lease: waiting out its TTL is what is being tested.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now() + 50)));
    const after = await runBinary(args, { env: THROUGH_GATE() });
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout).environments[0].lease).toMatchObject({ state: 'held', end: 'released' });
    expect(JSON.parse(after.stdout).environments[0].lease.holder).not.toBe(dead.holder);
    expect(await store.readLease('shop-prod')).toMatchObject({ state: 'released', version: 2 });
  }, 120_000);

  it('Ctrl-C stops the pass where it is, records it as interrupted, releases the lease and exits 130', async () => {
    const name = await freshTable();
    gate.close(isMigrationClaim);
    const p = spawnBinary(['reconcile', ...SHOP_PROD, '--sim', EXAMPLES_FIXTURE, '--table', name, '-o', 'json'], { env: THROUGH_GATE() });
    await gate.waitFor(1);
    p.child.kill('SIGINT');
    await vi_waitFor(() => p.stderr().includes('steady: stopping'));
    gate.open();
    const { code, stdout, stderr } = await p.exited;

    expect(stderr).toContain('steady: stopping: nothing new starts, what was done is recorded and the lease released (Ctrl-C again to quit at once)');
    expect(code).toBe(130);
    const env = JSON.parse(stdout).environments[0];
    expect(env).toMatchObject({ verdict: 'interrupted', interrupted: { reason: 'aborted', stage: 'converge' }, lease: { state: 'held', end: 'released' } });
    const store = new StateStore({ client: table.client, tableName: name, clock: table.clock });
    expect(await store.readLease('shop-prod')).toMatchObject({ state: 'released' });
    const [pass] = await store.listPasses('shop-prod', 0);
    expect(pass.interrupted).toMatchObject({ reason: 'aborted', stage: 'converge' });
  }, 60_000);
});

/** Polls a condition on output the test is reading (no timing assertion). */
async function vi_waitFor(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('commands that change AWS take the lease, or are told not to', () => {
  it('reconcile without a table refuses, changing nothing, unless --no-lease is given; then the report says so', async () => {
    const refused = await runBinary(['reconcile', ...SHOP_PROD], { env: { AWS_ENDPOINT_URL: CLOSED, STEADY_TABLE: '' } });
    expect(refused.code).toBe(2);
    // A usage error, said as every command says one: on stderr, `error:` and the usage line.
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('usage: steady reconcile [options] [paths...]');
    expect(refused.stderr).toContain(
      "error: steady reconcile changes AWS, and without the environment's lease nothing keeps another writer (the Lambda, a colleague) out while it does: give the state table with --table NAME or STEADY_TABLE (the deployed stack's output StateTableName), or say --no-lease to go ahead without one",
    );
    expect(refused.stdout + refused.stderr).not.toContain('reconciling');

    const json = await runBinary(['reconcile', ...SHOP_PROD, '--no-lease', '-o', 'json'], { env: { AWS_ENDPOINT_URL: CLOSED } });
    expect(json.code).toBe(1); // AWS unreadable: the pass ran, without a lease
    expect(JSON.parse(json.stdout).environments[0].lease).toMatchObject({ state: 'none' });
    const text = await runBinary(['reconcile', ...SHOP_PROD, '--no-lease'], { env: { AWS_ENDPOINT_URL: CLOSED } });
    expect(text.stdout).toContain('No lease: --no-lease was given, so nothing kept another writer out of shop-prod while this pass changed it.');
  }, 60_000);

  it('retry takes the lease from STEADY_TABLE, is skipped with exit 3 while another holds it, and refuses without one', async () => {
    const name = await freshTable();
    const args = ['retry', 'migration/db-migrate', ...SHOP_PROD, '--sim', EXAMPLES_FIXTURE, '-o', 'json'];
    const ok = await runBinary(args, { env: { STEADY_TABLE: name } });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ command: 'retry', ok: true, lease: { state: 'held', table: name, end: 'released' } });

    const other = await new StateStore({ client: table.client, tableName: name, clock: table.clock }).acquireLease('shop-prod', 'lambda:c6af9ac6', 120_000);
    const held = await runBinary(args, { env: { STEADY_TABLE: name } });
    expect(held.code).toBe(3);
    expect(JSON.parse(held.stdout).error.message).toBe(
      `lease for environment shop-prod is held by lambda:c6af9ac6 until ${new Date(other.expiresAt).toISOString()}; nothing was changed`,
    );
    await other.release();

    const refused = await runBinary(['retry', 'migration/db-migrate', ...SHOP_PROD], { env: { AWS_ENDPOINT_URL: CLOSED, STEADY_TABLE: '' } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('error: steady retry changes AWS, and without the environment\'s lease');
    expect(refused.stderr).toContain('usage: steady retry [options] <resource> [paths...]');
  }, 60_000);
});

describe('the lease options', () => {
  it("--lease-ttl's default in the help is the lease's own", async () => {
    const { DEFAULT_LEASE_TTL_SECONDS } = await import('./commands/options.js');
    const { DEFAULT_LEASE_TTL_MS } = await import('../reconcile.js');
    expect(DEFAULT_LEASE_TTL_SECONDS * 1000).toBe(DEFAULT_LEASE_TTL_MS);
  });
});

describe('--sim never reaches a real AWS service', () => {
  it('refuses a --table that is not a local stand-in, and --notify with real SES, before anything runs', async () => {
    const real = { AWS_ENDPOINT_URL_DYNAMODB: '', AWS_ENDPOINT_URL: '' };
    const table = await runBinary(['reconcile', ...SHOP_PROD, '--sim', EXAMPLES_FIXTURE, '--table', 'steady-state'], { env: real });
    expect(table.code).toBe(2);
    expect(table.stderr).toContain(
      'error: --sim runs against a simulated account, but --table steady-state is a DynamoDB table in AWS: the simulated passes and migration ledger would be written into it.',
    );

    const notify = await runBinary(['reconcile', ...SHOP_PROD, '--sim', EXAMPLES_FIXTURE, '--notify'], { env: real });
    expect(notify.code).toBe(2);
    expect(notify.stderr).toMatch(/error: --sim --notify would reach the real (Secrets Manager|SSM|SES)/);
  }, 60_000);
});
