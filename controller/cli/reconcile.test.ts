import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keysIn, deleteKey, startSpecStore } from '../source/testkit.js';
import { EXAMPLES_FIXTURE, SPECS_DIR } from '../testing/world.js';
import { runCli } from '../testing/cli.js';

const run = runCli;

const SHOP = `${SPECS_DIR}shop`;

let store: Awaited<ReturnType<typeof startSpecStore>>;
beforeAll(async () => {
  store = await startSpecStore();
});
afterAll(() => store.close());

describe('steady plan', () => {
  it('exits 2 and prints the plan when there are changes to make', async () => {
    const { code, stdout } = await run('plan', SHOP, '--sim', EXAMPLES_FIXTURE);

    expect(code).toBe(2);
    expect(stdout).toContain('Dry run: nothing was changed. This is what steady would do:');
    expect(stdout).toContain('+ Service/api           would change');
    expect(stdout).toContain('Plan: 2 to register, 1 to create, 1 migration to run, 2 records to change.');
  });

  it('prints the report as JSON with --output json', async () => {
    const { code, stdout } = await run('plan', SHOP, '--sim', EXAMPLES_FIXTURE, '-o', 'json');

    expect(code).toBe(2);
    const doc = JSON.parse(stdout);
    expect(doc).toMatchObject({ formatVersion: 1, command: 'plan', exitCode: 2, environments: [{ environment: 'shop-prod', verdict: 'changesPending', exitCode: 2 }] });
    expect(doc.environments[0].summary).toBe('Plan: 2 to register, 1 to create, 1 migration to run, 2 records to change.');
  });

  it('exits 1 naming the environment it cannot find', async () => {
    const { code, stdout } = await run('plan', SHOP, '--env', 'nope', '--sim', EXAMPLES_FIXTURE);

    expect(code).toBe(1);
    expect(stdout).toBe('steady: no environment nope in the specs (there are: shop-prod)\n');
  });

  it('exits 1 with the problems of invalid specs and plans nothing', async () => {
    const { code, stdout } = await run('plan', `${SPECS_DIR}../controller/spec/testdata/broken/unknown-field.yaml`, '--sim', EXAMPLES_FIXTURE);

    expect(code).toBe(1);
    expect(stdout).toMatch(/unknown-field\.yaml:\d+:\d+ spec\.desiredcount: unknown field "desiredcount" \(did you mean "desiredCount"\?\)/);
    expect(stdout).toMatch(/problem.* in the specs: nothing was done\n$/);
  });
});

describe('steady reconcile', () => {
  it('converges the environment and exits 0', async () => {
    const { code, stdout } = await run('reconcile', SHOP, '--sim', EXAMPLES_FIXTURE);

    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe('shop-prod: Converging: 2 registered, 1 created, 1 migration run, 2 records changed. 2 converging, 3 created.');
    expect(stdout).toContain('+ Service/api           converging  RollingOut');
  });

  it('plans from the latest commit published to S3, and refuses a broken one', async () => {
    const bucket = await store.bucket();
    expect((await run('apply', SHOP, '--bucket', bucket, '--prefix', 'team')).code).toBe(0);

    const good = await run('plan', '--from', `s3://${bucket}/team`, '--sim', EXAMPLES_FIXTURE);
    expect(good.code).toBe(2);
    expect(good.stdout).toContain('Plan: 2 to register, 1 to create, 1 migration to run, 2 records to change.');

    const object = (await keysIn(store.s3, bucket)).find((k) => k.startsWith('team/objects/'))!;
    await deleteKey(store.s3, bucket, object);
    const broken = await run('reconcile', '--from', `s3://${bucket}/team`, '--sim', EXAMPLES_FIXTURE);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(new RegExp(`^steady: reading s3://${bucket}/team/objects/sha256/[0-9a-f]{64}: .*; nothing was done\\n$`));
  });
});

describe('steady demo', () => {
  it('builds the examples, breaks them the way the failures happen, heals them, and ends with nothing to do', async () => {
    const { code, stdout } = await run('demo', SPECS_DIR);

    expect(code).toBe(0);
    expect(stdout).toContain('! CI pushed a new image to shop-api:latest, and nobody registered a new task definition');
    expect(stdout).toContain('! the ALB shop-api-alb was deleted and created again: it has a new DNS name');
    expect(stdout).toContain('! someone scaled the service api to 0 by hand');
    const last = stdout.slice(stdout.indexOf('4. And once ECS has rolled out'));
    expect(last).toContain('messaging-prod: No changes. 3 resources in sync.');
    expect(last).toContain('shop-prod: No changes. 5 resources in sync.');
  });
});
