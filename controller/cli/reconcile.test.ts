import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keysIn, deleteKey, startSpecStore } from '../source/testkit.js';
import { EXAMPLES_FIXTURE, SPECS_DIR } from '../testing/world.js';
import { runCli } from '../testing/cli.js';

const run = runCli;

// The shop example is a base with two overlays; these tests follow its production.
const SHOP = `${SPECS_DIR}shop`;
const PROD = ['--env', 'shop-prod'];

let store: Awaited<ReturnType<typeof startSpecStore>>;
beforeAll(async () => {
  store = await startSpecStore();
});
afterAll(() => store.close());

describe('steady plan', () => {
  it('exits 2 and prints the plan when there are changes to make', async () => {
    const { code, stdout } = await run('plan', SHOP, ...PROD, '--sim', EXAMPLES_FIXTURE);

    expect(code).toBe(2);
    expect(stdout).toContain('Dry run: nothing was changed. This is what steady would do:');
    expect(stdout).toContain('+ Service/api                       would change');
    expect(stdout).toContain('Plan: 3 to register, 1 to create, 1 migration to run, 1 schedule group to create, 1 schedule to create, 2 records to change.');
  });

  it('prints the report as JSON with --output json', async () => {
    const { code, stdout } = await run('plan', SHOP, ...PROD, '--sim', EXAMPLES_FIXTURE, '-o', 'json');

    expect(code).toBe(2);
    const doc = JSON.parse(stdout);
    expect(doc).toMatchObject({ formatVersion: 1, command: 'plan', exitCode: 2, environments: [{ environment: 'shop-prod', verdict: 'changesPending', exitCode: 2 }] });
    expect(doc.environments[0].summary).toBe('Plan: 3 to register, 1 to create, 1 migration to run, 1 schedule group to create, 1 schedule to create, 2 records to change.');
  });

  it('exits 1 naming the environment it cannot find', async () => {
    const { code, stdout, stderr } = await run('plan', SHOP, '--env', 'nope', '--sim', EXAMPLES_FIXTURE);

    expect(code).toBe(1);
    expect({ stdout, stderr }).toEqual({ stdout: '', stderr: 'error: no environment nope in the specs (there are: shop-prod, shop-staging)\n' });
  });

  it('exits 1 with the problems of invalid specs and plans nothing', async () => {
    const { code, stdout, stderr } = await run('plan', `${SPECS_DIR}../controller/spec/testdata/broken/unknown-field.yaml`, '--sim', EXAMPLES_FIXTURE);

    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/unknown-field\.yaml:\d+:\d+ spec\.desiredcount: unknown field "desiredcount" \(did you mean "desiredCount"\?\)/);
    expect(stderr).toMatch(/problem.* in the specs: nothing was done\n$/);
  });
});

describe('steady reconcile', () => {
  it('converges the environment and exits 0', async () => {
    const { code, stdout } = await run('reconcile', SHOP, ...PROD, '--sim', EXAMPLES_FIXTURE);

    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe('shop-prod: Converging: 3 registered, 1 created, 1 migration run, 1 schedule group created, 1 schedule created, 2 records changed. 2 converging, 4 created.');
    expect(stdout).toMatch(/\n\+ Service\/api +converging  RollingOut\n/);
  });

  it('plans from the latest commit published to S3, and refuses a broken one', async () => {
    const bucket = await store.bucket();
    expect((await run('apply', SHOP, '--bucket', bucket, '--prefix', 'team')).code).toBe(0);

    const good = await run('plan', '--from', `s3://${bucket}/team`, ...PROD, '--sim', EXAMPLES_FIXTURE);
    expect(good.code).toBe(2);
    expect(good.stdout).toContain('Plan: 3 to register, 1 to create, 1 migration to run, 1 schedule group to create, 1 schedule to create, 2 records to change.');

    const object = (await keysIn(store.s3, bucket)).find((k) => k.startsWith('team/objects/'))!;
    await deleteKey(store.s3, bucket, object);
    const broken = await run('reconcile', '--from', `s3://${bucket}/team`, '--sim', EXAMPLES_FIXTURE);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(new RegExp(`^error: reading s3://${bucket}/team/objects/sha256/[0-9a-f]{64}: .*; nothing was done\\n$`));
  });
});

describe('several environments: one summary line each, first, then the details', () => {
  it('plan prints the block, then each environment\'s report; one environment prints no block', async () => {
    const { code, stdout } = await run('plan', SPECS_DIR, '--sim', EXAMPLES_FIXTURE);

    expect(code).toBe(2);
    expect(stdout.split('\n').slice(0, 5)).toEqual([
      'messaging-prod  changes pending  2 would change',
      'shop-prod       changes pending  1 in sync, 5 would change',
      'shop-staging    changes pending  4 would change',
      '',
      'messaging-prod: Plan: 1 to register, 1 to adopt, 1 blue/green deployment to start, 1 record to change.',
    ]);
    // The block is the summary: no line after the reports says the verdicts again.
    expect(stdout).not.toMatch(/^3 environments: /m);

    const one = await run('plan', SHOP, ...PROD, '--sim', EXAMPLES_FIXTURE);
    expect(one.stdout.split('\n')[0]).toBe('shop-prod: Plan: 3 to register, 1 to create, 1 migration to run, 1 schedule group to create, 1 schedule to create, 2 records to change.');
  });

  it('reconcile counts what each pass did, in sync first; the JSON keeps one entry per environment and the exit code reads the one outcome', async () => {
    const { code, stdout } = await run('reconcile', SPECS_DIR, '--sim', EXAMPLES_FIXTURE);

    expect(code).toBe(0);
    expect(stdout.split('\n').slice(0, 5)).toEqual([
      'messaging-prod  converged   1 in sync, 1 created, 1 healed',
      'shop-prod       converging  1 in sync, 4 created, 2 converging',
      'shop-staging    converging  3 created, 2 converging',
      '',
      'messaging-prod: Converged: 1 registered, 1 adopted, 1 blue/green deployment started, 1 record changed. 1 healed, 1 created.',
    ]);

    const json = await run('reconcile', SPECS_DIR, '--sim', EXAMPLES_FIXTURE, '-o', 'json');
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc.environments.map((e: { environment: string; verdict: string }) => [e.environment, e.verdict])).toEqual([
      ['messaging-prod', 'converged'],
      ['shop-prod', 'converging'],
      ['shop-staging', 'converging'],
    ]);
  });
});
