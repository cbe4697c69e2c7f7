/**
 * The `--output json` contract: docs/output.schema.json is what contract.ts generates, and every
 * command's JSON output (successes and failures) validates against that file, read as a reader
 * would read it (ajv, JSON Schema draft 2020-12).
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSpecStore, TESTDATA } from '../source/testkit.js';
import { runCli as run } from '../testing/cli.js';
import { startStateTable, type LocalStateTable } from '../testing/state-table.js';
import { EXAMPLES_FIXTURE, SPECS_DIR } from '../testing/world.js';
import { renderOutputSchema, SCHEMA_FILE } from './schema.js';

const SHOP = `${SPECS_DIR}shop`;
const BROKEN = `${SPECS_DIR}../controller/spec/testdata/broken/unknown-field.yaml`;

const ajv = new Ajv2020({ allErrors: true, strict: false });
(addFormats as unknown as { default: (a: Ajv2020) => void }).default(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));

/** Parses a command's stdout and checks it against the schema; returns the document. */
function valid(stdout: string, code: number) {
  const doc = JSON.parse(stdout);
  const ok = validate(doc);
  expect(ok ? [] : validate.errors).toEqual([]);
  expect(doc.formatVersion).toBe(1);
  expect(doc.exitCode).toBe(code);
  return doc;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let table: LocalStateTable;
let specs: Awaited<ReturnType<typeof startSpecStore>>;
beforeAll(async () => {
  table = await startStateTable('contract-state');
  specs = await startSpecStore();
});
afterAll(async () => {
  await table.close();
  await specs.close();
});

describe('docs/output.schema.json', () => {
  it('is what contract.ts generates (run `npm run schemas` after changing it)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(renderOutputSchema());
  });
});

describe('every command with --output json prints one document the schema accepts', () => {
  it('validate: valid and invalid specs', async () => {
    const good = await run('validate', SPECS_DIR, '-o', 'json');
    expect(valid(good.stdout, 0)).toMatchObject({ command: 'validate', ok: true });
    const bad = await run('validate', BROKEN, '-o', 'json');
    expect(valid(bad.stdout, 1)).toMatchObject({ command: 'validate', ok: false, error: { kind: 'invalidSpecs' } });
  });

  it('render: documents with what each overlay changed, invalid specs, an unknown environment', async () => {
    const good = await run('render', SHOP, '--env', 'shop-staging', '-o', 'json');
    const doc = valid(good.stdout, 0);
    expect(doc).toMatchObject({ command: 'render', ok: true, environments: [{ name: 'shop-staging' }] });
    expect(doc.environments[0].documents[1].changes).toContainEqual(expect.objectContaining({ path: 'spec.desiredCount', change: 'set' }));
    const bad = await run('render', BROKEN, '-o', 'json');
    expect(valid(bad.stdout, 1)).toMatchObject({ command: 'render', ok: false, environments: [], error: { kind: 'invalidSpecs' } });
    const unknown = await run('render', SHOP, '--env', 'nope', '-o', 'json');
    expect(valid(unknown.stdout, 1)).toMatchObject({ command: 'render', environments: [], error: { kind: 'unknownEnvironment' } });
  });

  it('plan and reconcile: passes with ISO times, and invalid specs as an error document with the text on stderr', async () => {
    const plan = await run('plan', SHOP, '--env', 'shop-prod', '--sim', EXAMPLES_FIXTURE, '-o', 'json');
    const doc = valid(plan.stdout, 2);
    expect(doc).toMatchObject({ command: 'plan', environments: [{ environment: 'shop-prod', verdict: 'changesPending', exitCode: 2 }] });
    expect(doc.environments[0].startedAt).toMatch(ISO);

    const reconcile = await run('reconcile', SHOP, '--env', 'shop-prod', '--sim', EXAMPLES_FIXTURE, '--table', 'contract-state', '-o', 'json');
    expect(valid(reconcile.stdout, 0)).toMatchObject({ command: 'reconcile', dryRun: false, environments: [{ verdict: 'converging' }] });

    const broken = await run('plan', BROKEN, '--sim', EXAMPLES_FIXTURE, '-o', 'json');
    expect(valid(broken.stdout, 1)).toMatchObject({ command: 'plan', environments: [], error: { kind: 'invalidSpecs', problems: [{ path: 'spec.desiredcount' }] } });
    expect(broken.stderr).toMatch(/unknown-field\.yaml:\d+:\d+ spec\.desiredcount: unknown field/);
  });

  it('status, history and report --last, from the state table; and the error when there is none', async () => {
    const status = await run('status', '--table', 'contract-state', '--env', 'shop-prod', '-o', 'json');
    const statusDoc = valid(status.stdout, 0);
    expect(statusDoc.resources.length).toBeGreaterThan(0);
    expect(statusDoc.resources[0]).not.toHaveProperty('age');
    expect(statusDoc.resources[0].since).toMatch(ISO);

    const history = await run('history', '--table', 'contract-state', '--env', 'shop-prod', '--since', '3650d', '-o', 'json');
    const historyDoc = valid(history.stdout, 0);
    expect(historyDoc.passes[0]).toMatchObject({ verdict: 'converging', startedAt: expect.stringMatching(ISO) });
    expect(historyDoc.passes[0]).not.toHaveProperty('age');

    const report = await run('report', '--last', '--table', 'contract-state', '--env', 'shop-prod', '-o', 'json');
    expect(valid(report.stdout, 0).environments[0]).toMatchObject({ environment: 'shop-prod', verdict: 'converging' });

    const none = await run('status', '-o', 'json');
    expect(valid(none.stdout, 2)).toMatchObject({ command: 'usage', error: { kind: 'usage', message: 'no state table: give --table NAME or set STEADY_TABLE' } });
  });

  it('diff: a comparison with a published commit, and failures', async () => {
    const bucket = await specs.bucket();
    valid((await run('apply', `${TESTDATA}/v1`, '--bucket', bucket, '--prefix', 'd', '-o', 'json')).stdout, 0);
    const diff = await run('diff', `${TESTDATA}/v2`, '--from', `s3://${bucket}/d`, '-o', 'json');
    const doc = valid(diff.stdout, 2);
    expect(doc).toMatchObject({ command: 'diff', changed: true, base: { kind: 's3', url: `s3://${bucket}/d/` } });
    expect(doc.environments[0].resources.length).toBeGreaterThan(0);
    const missing = await run('diff', SHOP, '--base', 'no-such-revision-anywhere', '-o', 'json');
    expect(valid(missing.stdout, 1)).toMatchObject({ command: 'diff', environments: [], error: { kind: 'revision' } });
    const broken = await run('diff', BROKEN, '-o', 'json');
    expect(valid(broken.stdout, 1)).toMatchObject({ command: 'diff', environments: [], error: { kind: 'invalidSpecs' } });
  });

  it('verify', async () => {
    const verify = await run('verify', SHOP, '--sim', EXAMPLES_FIXTURE, '--no-probes', '-o', 'json');
    const doc = valid(verify.stdout, verify.code);
    expect(doc.environments[0].services[0].checkedAt).toMatch(ISO);
  });

  it('apply and commits, and an S3 failure', async () => {
    const bucket = await specs.bucket();
    valid((await run('apply', `${TESTDATA}/v1`, '--bucket', bucket, '--prefix', 'p', '-o', 'json')).stdout, 0);
    valid((await run('commits', '--bucket', bucket, '--prefix', 'p', '-o', 'json')).stdout, 0);
    const rollback = await run('apply', '--rollback', '1234567', '--bucket', bucket, '--prefix', 'p', '-o', 'json');
    expect(valid(rollback.stdout, 1)).toMatchObject({ command: 'apply', ok: false, error: { kind: 'manifest-missing' } });
  });

  it('maintenance on and off, with who, why and until when; history with the switches', async () => {
    const on = await run('maintenance', 'on', SHOP, '--env', 'shop-prod', '--for', '2h', '--reason', 'DB upgrade', '--by', 'alice', '--sim', EXAMPLES_FIXTURE, '--table', 'contract-state', '-o', 'json');
    expect(valid(on.stdout, 0)).toMatchObject({
      command: 'maintenance',
      switched: 'on',
      maintenances: [{ name: 'shop', phase: 'Synced', state: 'on', source: 'command', by: 'alice', reason: 'DB upgrade', since: '2026-01-01T00:00:00.000Z', until: '2026-01-01T02:00:00.000Z' }],
    });
    expect(valid((await run('maintenance', 'off', SHOP, '--env', 'shop-prod', '--sim', EXAMPLES_FIXTURE, '--table', 'contract-state', '-o', 'json')).stdout, 0)).toMatchObject({ switched: 'off' });
    const status = valid((await run('status', '--table', 'contract-state', '--env', 'shop-prod', '-o', 'json')).stdout, 0);
    expect(status.resources.find((r: { resource: string }) => r.resource === 'Maintenance/shop')).toMatchObject({ reason: 'Off', maintenance: { state: 'off' } });
    const history = valid((await run('history', '--table', 'contract-state', '--env', 'shop-prod', '--since', '3650d', '-o', 'json')).stdout, 0);
    expect(history.maintenance.find((e: { switched: string }) => e.switched === 'on')).toMatchObject({ switched: 'on', source: 'command', by: 'alice', until: '2026-01-01T02:00:00.000Z' });
    const usage = await run('maintenance', 'on', SHOP, '--table', 'contract-state', '-o', 'json');
    expect(valid(usage.stdout, 2)).toMatchObject({ command: 'usage', error: { kind: 'usage', message: 'say how long with --for (30m, 2h, 1d): the window ends by itself' } });
  });

  it('retry, and a usage error', async () => {
    const retry = await run('retry', 'migration/db-migrate', SHOP, '--env', 'shop-prod', '--sim', EXAMPLES_FIXTURE, '-o', 'json');
    expect(valid(retry.stdout, 0)).toMatchObject({ command: 'retry', ok: true, environment: 'shop-prod' });
    const unknown = await run('retry', 'migration/nope', SHOP, '--env', 'shop-prod', '--sim', EXAMPLES_FIXTURE, '-o', 'json');
    expect(valid(unknown.stdout, 1)).toMatchObject({ command: 'retry', ok: false, error: { message: 'no Migration nope in environment shop-prod' } });

    const usage = await run('plan', SHOP, '--bogus', '-o', 'json');
    expect(valid(usage.stdout, 1)).toMatchObject({ command: 'usage', error: { kind: 'usage', message: "unknown option '--bogus'" } });
  });
});
