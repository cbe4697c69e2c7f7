import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
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

describe('steady demo', () => {
  it('builds the examples, breaks them the way the failures happen, heals them, and ends with nothing to do', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'steady-demo-'));
    const { code, stdout } = await run('demo', SPECS_DIR, '--html', dir);

    expect(code).toBe(0);
    // The first pass: what did not exist is "created"; action lines name the revision registered; a pinned image names the spec's tag.
    const first = stdout.slice(stdout.indexOf('1. The first pass'), stdout.indexOf('2. Ten minutes later'));
    expect(first).toMatch(/\+ Migration\/db-migrate +created\n/);
    expect(first).toMatch(/\+ AliasRecord\/apex-dns +created\n/);
    expect(first).toContain('    done     register task definition shop-api:1\n');
    expect(first).toContain('    done     create service api (shop-api:1, 2 tasks)\n');
    expect(first).toMatch(/ -> 123456789012\.dkr\.ecr\.ap-northeast-1\.amazonaws\.com\/messaging-api@sha256:[0-9a-f]{12}…\s+\(spec: messaging-api:v2\.7\.1\)\n/);
    expect(first).not.toContain('<new revision>');
    const healing = stdout.slice(stdout.indexOf('3. The next pass'), stdout.indexOf('4. And once'));
    expect(healing).toContain('    done     update service api: task definition shop-api:1 -> shop-api:2\n');
    expect(healing).toMatch(/ -> \S+\/shop-api@sha256:[0-9a-f]{12}…\s+\(spec: shop-api:latest\)\n/);
    expect(stdout).toContain('! CI pushed a new image to shop-api:latest, and nobody registered a new task definition');
    expect(stdout).toContain('! the ALB shop-api-alb was deleted and created again: it has a new DNS name');
    expect(stdout).toContain('! someone scaled the service api to 0 by hand');
    const quiet = stdout.slice(stdout.indexOf('4. And once ECS has rolled out'), stdout.indexOf('5. At '));
    expect(quiet).toContain('messaging-prod: No changes. 3 resources in sync.');
    expect(quiet).toContain('shop-prod: No changes. 7 resources in sync.');
    // shop-staging, rendered from the same base: its own cluster, one service without the agent.
    expect(quiet).toContain('shop-staging: No changes. 5 resources in sync.');
    // The night: the nightly migration runs on the simulated Scheduler, exits 1, and is reported.
    const night = stdout.slice(stdout.indexOf('5. At '));
    expect(night).toContain('5. At 2026-01-02 03:00 Asia/Tokyo, EventBridge Scheduler runs db-migrate-nightly, and it fails');
    expect(night).toMatch(/ScheduledTask\/db-migrate-nightly[\s\S]*the run due 2026-01-02 03:00 Asia\/Tokyo failed: exit code 1 after 55 s \(task\s+[0-9a-f]{32}\)/);
    // The maintenance window: on by command, both entry points switched, off, everything back.
    const window = stdout.slice(stdout.indexOf('6. A database upgrade'));
    expect(window).toContain('$ steady maintenance on --env shop-prod --for 2h --reason "DB upgrade" --by ana');
    expect(window).toContain('Maintenance shop of shop-prod: on by command (ana: DB upgrade) since 2026-01-01 18:05 UTC until 2026-01-01 20:05 UTC');
    expect(window).toMatch(/~ Maintenance\/shop +switched on\n/);
    expect(window).toContain('done     switch CloudFront E2QWRUHAPOMQZL to maintenance');
    expect(window).toContain('done     create maintenance rule 1 on HTTPS:443 of shop-api-alb');
    expect(window).toContain('Maintenance shop of shop-prod: off');
    expect(window).toMatch(/~ Maintenance\/shop +switched off\n/);
    expect(window).toContain(
      'Everything is back as before: the configuration of E2QWRUHAPOMQZL is byte for byte what it was, and shop-api-alb has no maintenance rule left and forwards to the containers again.',
    );
    // The status page of those passes, drawn from the demo's own state table.
    const page = path.join(dir, 'index.html');
    expect(stdout).toContain(`The status page of these passes (environments, wiring, drift and time to heal): ${pathToFileURL(page).href}\n`);
    const html = readFileSync(page, 'utf8');
    expect(html).toContain('<h2 id="overview">Environments (3)</h2>');
    expect(html).toMatch(/<strong>AliasRecord\/api-dns<\/strong> <span class="t ok">healed by steady<\/span> healed after/);
    // shop-prod after the night: the failed nightly run beside the six resources in sync (the Maintenance among them).
    expect(html).toContain('<span class="counts"><span class="t bad">1 Failed</span><span class="t ok">6 Synced</span></span>');
    rmSync(dir, { recursive: true, force: true });
  });
});
