/**
 * Issue 14, "a pass tells the truth", item by item, through the CLI (in-process) on the simulated
 * account: each scenario asserts the exit code, the JSON and the first line a person reads. The
 * cases that need a real process and a real network (AWS unreadable, HTTP 500) are in
 * spawn.test.ts; what `steady` says about a pass is the same in the Lambda (the last block).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../lambda/app.js';
import { captureOutput, lambdaContext, startHandlerWorld } from '../lambda/testkit.js';
import { METRIC } from '../lambda/telemetry.js';
import { simAccountFromFile } from '../sim/fixture.js';
import { createStateTable } from '../state/table.js';
import { StateStore } from '../state/store.js';
import { runCli as run } from '../testing/cli.js';
import { useNotifyServers } from '../testing/notify-servers.js';
import { EXAMPLES_FIXTURE, SPECS_DIR } from '../testing/world.js';

const TESTDATA = fileURLToPath(new URL('../wiring/testdata/', import.meta.url));
const WEB_SPEC = readFileSync(path.join(TESTDATA, 'web/web.yaml'), 'utf8');
const tmp = mkdtempSync(path.join(tmpdir(), 'steady-truth-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * The web environment's account (testdata/wired.yaml) made steady's own: the service tagged, the
 * alias with its ownership record, the service's settings as the spec says. `plan` has nothing to do.
 */
const OWNED = readFileSync(path.join(TESTDATA, 'wired.yaml'), 'utf8')
  .replace(
    '        - { name: www, type: A, alias: { loadBalancer: web-alb } }',
    `        - { name: www, type: A, alias: { loadBalancer: web-alb } }
        - { name: _steady-a.www, type: TXT, values: '"heritage=steady,steady/environment=web-prod,steady/resource=AliasRecord/www-dns"' }`,
  )
  .replace(
    '      loadBalancer: { targetGroup: web-tg, containerName: web, containerPort: 8080 }',
    `      loadBalancer: { targetGroup: web-tg, containerName: web, containerPort: 8080 }
      network: { subnets: [subnet-0a1b2c3d4e5f60718] }
      circuitBreaker: { enable: true, rollback: true }
      tags: { steady:managed-by: steady, steady:environment: web-prod, steady:resource: Service/web }`,
  );

let n = 0;
/** Writes a variant of the web spec (a folder) or of the owned fixture (a file); returns its path. */
function specs(change: (yaml: string) => string = (y) => y): string {
  const dir = path.join(tmp, `specs-${++n}`);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'web.yaml'), change(WEB_SPEC));
  return dir;
}
function fixture(change: (yaml: string) => string = (y) => y): string {
  const file = path.join(tmp, `fixture-${++n}.yaml`);
  writeFileSync(file, change(OWNED));
  return file;
}
const replaced = (from: string, to: string) => (yaml: string) => {
  if (!yaml.includes(from)) throw new Error(`the test data has changed: no ${JSON.stringify(from)}`);
  return yaml.replace(from, to);
};

const STALE_ALIAS = replaced(
  '{ name: www, type: A, alias: { loadBalancer: web-alb } }',
  '{ name: www, type: A, alias: { dnsName: old-alb-1.ap-northeast-1.elb.amazonaws.com, hostedZoneId: Z14GRHDCWA56QT } }',
);
const NOT_OURS = replaced(`        - { name: _steady-a.www, type: TXT, values: '"heritage=steady,steady/environment=web-prod,steady/resource=AliasRecord/www-dns"' }\n`, '');
const OBSERVE = replaced('  cluster: web-prod', '  cluster: web-prod\n  mode: observe');

const firstLine = (stdout: string) => stdout.split('\n')[0];
const json = async (...args: string[]) => {
  const r = await run(...args, '-o', 'json');
  return { code: r.code, doc: JSON.parse(r.stdout), stderr: r.stderr };
};
const resource = (doc: any, name: string) => doc.environments[0].resources.find((r: { resource: string }) => r.resource === name);

describe('the exit codes', () => {
  it.each(['validate', 'plan', 'reconcile', 'verify', 'retry', 'status', 'history', 'report', 'apply', 'commits', 'maintenance'])('are in the --help of %s', async (command) => {
    const { code, stdout } = await run(command, '--help');
    expect(code).toBe(0);
    expect(stdout.replace(/\s+/g, ' ')).toMatch(/Exit codes[^:]*: 0 /);
  });

  it('of plan keep 2 for "changes pending": a usage error exits 1', async () => {
    expect((await run('plan', '--bogus')).code).toBe(1);
    expect((await run('reconcile', '--bogus')).code).toBe(2);
  });
});

describe('the baseline: an environment as its specs say', () => {
  it('plans nothing and exits 0; a reconcile converges and exits 0', async () => {
    const dir = specs();
    const file = fixture();

    const plan = await run('plan', dir, '--sim', file);
    expect(plan.code).toBe(0);
    expect(firstLine(plan.stdout)).toBe('web-prod: No changes. 2 resources in sync.');
    const reconcile = await json('reconcile', dir, '--sim', file);
    expect(reconcile.code).toBe(0);
    expect(reconcile.doc.environments[0]).toMatchObject({ verdict: 'converged', exitCode: 0, summary: 'No changes. 3 resources in sync.' });
  });
});

describe('2. a wiring status says "steady is repairing this" only when steady is', () => {
  it('observe mode with a stale alias: the wiring is drifted and says observe mode keeps it so; reconcile exits 0', async () => {
    const dir = specs(OBSERVE);
    const file = fixture(STALE_ALIAS);

    const text = await run('reconcile', dir, '--sim', file);
    expect(text.code).toBe(0);
    expect(firstLine(text.stdout)).toBe('web-prod: Drifted (observe mode): 1 record to change. 2 drifted.');
    expect(text.stdout).not.toMatch(/in progress|repairing/);
    const { doc } = await json('reconcile', dir, '--sim', file);
    expect(doc.environments[0]).toMatchObject({ verdict: 'drifted', exitCode: 0 });
    const wiring = resource(doc, 'Wiring/web');
    expect(wiring).toMatchObject({ outcome: 'unrepaired', blockedBy: 'observe', phase: 'Blocked', reason: 'AliasStale' });
    expect(wiring.message).toMatch(/do not reach the load balancer; not repaired: the environment is in observe mode, so steady does not change it$/);
  });

  it('an alias steady does not own (Conflict): the wiring is not repaired, and reconcile exits 1', async () => {
    const dir = specs();
    const file = fixture((y) => NOT_OURS(STALE_ALIAS(y)));

    const text = await run('reconcile', dir, '--sim', file);
    expect(text.code).toBe(1);
    expect(firstLine(text.stdout)).toBe('web-prod: Cannot converge: nothing changed. 2 unrepaired (conflict).');
    const { doc } = await json('reconcile', dir, '--sim', file);
    expect(doc.environments[0]).toMatchObject({ verdict: 'unrepaired', exitCode: 1 });
    expect(resource(doc, 'AliasRecord/www-dns')).toMatchObject({ outcome: 'unrepaired', blockedBy: 'conflict', reason: 'Conflict' });
    const wiring = resource(doc, 'Wiring/web');
    expect(wiring).toMatchObject({ outcome: 'unrepaired', blockedBy: 'conflict', phase: 'Blocked' });
    expect(wiring.message).toContain('not repaired: AliasRecord/www-dns: www.example.org A exists in zone example.org but steady did not create it');
  });

  it('a rollout blocked by a failed migration: the wiring is not "in progress", and says the steady retry that lets it go on', async () => {
    const dir = specs(
      (y) =>
        y.replace('spec:\n  desiredCount: 2', 'spec:\n  desiredCount: 2\n  after: [web-migrate]') +
        '---\napiVersion: steady.dev/v1alpha1\nkind: Migration\nmetadata: { name: web-migrate, environment: web-prod }\nspec:\n  fromService: web\n  command: [./migrate]\n',
    );
    // A new image behind the tag, and the migration for it exits 1.
    const file = fixture(
      (y) =>
        replaced(
          '      - { tags: [v1], digest: "sha256:1111111111111111111111111111111111111111111111111111111111111111" }',
          '      - { tags: [v0], digest: "sha256:1111111111111111111111111111111111111111111111111111111111111111" }\n      - { tags: [v1], digest: "sha256:2222222222222222222222222222222222222222222222222222222222222222" }',
        )(y) + '  taskOutcomes:\n    - { family: web-web-migrate, exitCode: 1 }\n',
    );

    const text = await run('reconcile', dir, '--sim', file);
    expect(text.code).toBe(1);
    expect(firstLine(text.stdout)).toBe('web-prod: Failed: 2 registered. 1 failed, 2 unrepaired (migration gate).');
    expect(text.stdout).not.toMatch(/in progress|repairing/);
    const { doc } = await json('reconcile', dir, '--sim', file);
    expect(resource(doc, 'Service/web')).toMatchObject({ outcome: 'unrepaired', blockedBy: 'migration', reason: 'MigrationFailed' });
    const wiring = resource(doc, 'Wiring/web');
    expect(wiring).toMatchObject({ outcome: 'unrepaired', blockedBy: 'migration', phase: 'Blocked', reason: 'UnexpectedRevision' });
    expect(wiring.message).toMatch(/after fixing migration web-migrate, run `steady retry migration\/web-migrate --env web-prod`$/);
  });

  it('a stale alias steady does own is repaired in the pass, and then the wiring is whole', async () => {
    const { code, doc } = await json('reconcile', specs(), '--sim', fixture(STALE_ALIAS));

    expect(code).toBe(0);
    expect(doc.environments[0]).toMatchObject({ verdict: 'converged', summary: 'Converged: 1 record changed. 1 healed.' });
    expect(resource(doc, 'Wiring/web')).toMatchObject({ outcome: 'synced', phase: 'Synced' });
  });
});

describe('4. plan answers one question: is there anything to change', () => {
  it('exits 0 when nothing is to change, however unhealthy the running service; reconcile and verify say it is broken', async () => {
    const dir = specs();
    const file = fixture(replaced('{ name: web-tg, port: 8080, healthCheckPath: /health }', '{ name: web-tg, port: 80, healthCheckPath: /health }'));

    const plan = await json('plan', dir, '--sim', file);
    expect(plan.code).toBe(0);
    expect(plan.doc.environments[0]).toMatchObject({ verdict: 'converged', exitCode: 0, summary: 'No changes. 2 resources in sync.' });
    expect(resource(plan.doc, 'Wiring/web')).toMatchObject({ outcome: 'failed', reason: 'TargetGroupPortMismatch' });

    const reconcile = await run('reconcile', dir, '--sim', file);
    expect(reconcile.code).toBe(1);
    expect(firstLine(reconcile.stdout)).toBe('web-prod: Failed: nothing changed. 1 failed.');
    expect((await run('verify', dir, '--sim', file)).code).toBe(1);
  });
});

describe('5. a pass that did nothing does not look converged', () => {
  let world: Awaited<ReturnType<typeof startHandlerWorld>>;
  beforeAll(async () => {
    world = await startHandlerWorld();
    await createStateTable(world.dynamodb, 'truth-lease');
  });
  afterAll(() => world.close());

  it('exits 3 when another run holds the lease, saying who and until when', async () => {
    const file = fixture();
    const account = await simAccountFromFile(file);
    // The lease is on wall-clock time, whatever clock the (simulated) pass records with.
    const held = await new StateStore({ client: world.dynamodb, tableName: 'truth-lease', clock: account.clock }).acquireLease('web-prod', 'lambda:c6af9ac6', 300_000);

    const text = await run('reconcile', specs(), '--sim', file, '--table', 'truth-lease');
    expect(text.code).toBe(3);
    expect(firstLine(text.stdout)).toBe(`web-prod: Skipped: lease for environment web-prod is held by lambda:c6af9ac6 until ${new Date(held.expiresAt).toISOString()}; nothing was done.`);
    const { code, doc } = await json('reconcile', specs(), '--sim', file, '--table', 'truth-lease');
    expect(code).toBe(3);
    expect(doc).toMatchObject({ exitCode: 3, environments: [{ verdict: 'skipped', skipped: 'leaseHeld', exitCode: 3, resources: [] }] });
  });

  it('exits 1, plan and reconcile, when the plan changes more than the change budget allows', async () => {
    const dir = specs(replaced('  cluster: web-prod', '  cluster: web-prod\n  changeBudget: 1'));
    const file = fixture((y) => STALE_ALIAS(y).replace('      desiredCount: 2\n', '      desiredCount: 1\n'));

    const reconcile = await run('reconcile', dir, '--sim', file);
    expect(reconcile.code).toBe(1);
    expect(firstLine(reconcile.stdout)).toBe('web-prod: Cannot converge: 1 to update, 1 record to change. 3 unrepaired (change budget).');
    const plan = await json('plan', dir, '--sim', file);
    expect(plan.code).toBe(1);
    expect(plan.doc.environments[0]).toMatchObject({ verdict: 'unrepaired', budget: { limit: 1, used: 2, exceeded: true } });
    expect((await run('plan', dir, '--sim', file)).stdout.replace(/\s+/g, ' ')).toContain('The plan changes 2 resources, more than the change budget of 1: a reconcile would change nothing.');
  });
});

describe('6. the JSON is a contract', () => {
  const servers = useNotifyServers();

  it('is one object however many environments, with ISO times, a format version and the exit code', async () => {
    const { code, doc } = await json('plan', SPECS_DIR, '--sim', EXAMPLES_FIXTURE);

    expect(code).toBe(2);
    expect(doc).toMatchObject({ formatVersion: 1, command: 'plan', exitCode: 2 });
    expect(doc.environments.map((e: { environment: string }) => e.environment)).toEqual(['messaging-prod', 'shop-prod', 'shop-staging']);
    expect(doc.environments[0].startedAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('puts invalid specs as JSON on stdout, with a non-zero exit, and the text for people on stderr', async () => {
    const broken = `${SPECS_DIR}../controller/spec/testdata/broken/unknown-field.yaml`;
    for (const command of ['plan', 'verify'] as const) {
      const { code, doc, stderr } = await json(command, broken, '--sim', EXAMPLES_FIXTURE);
      expect(code).toBe(1);
      expect(doc).toMatchObject({ formatVersion: 1, command, exitCode: 1, environments: [], error: { kind: 'invalidSpecs', problems: [{ path: 'spec.desiredcount' }] } });
      expect(stderr).toMatch(/^.*unknown-field\.yaml:\d+:\d+ spec\.desiredcount: unknown field "desiredcount"/);
    }
  });

  it('says an environment the specs do not have as JSON too', async () => {
    const { code, doc } = await json('plan', `${SPECS_DIR}shop`, '--env', 'nope', '--sim', EXAMPLES_FIXTURE);

    expect(code).toBe(1);
    expect(doc).toMatchObject({ command: 'plan', exitCode: 1, environments: [], error: { kind: 'unknownEnvironment', message: 'no environment nope in the specs (there are: shop-prod, shop-staging)' } });
  });

  it('includes what the notifications came to', async () => {
    const { code, doc } = await json('reconcile', `${SPECS_DIR}shop`, '--sim', EXAMPLES_FIXTURE, '--notify');

    expect(code).toBe(0);
    expect(doc.environments[0].notifications).toMatchObject({ sent: [{ channel: 'email' }, { channel: 'slack' }], failed: [] });
    expect(servers.slack.requests).toHaveLength(1);
  });
});

describe('3. the CLI, the Lambda, its metrics and the report say the same of one pass', () => {
  let world: Awaited<ReturnType<typeof startHandlerWorld>>;
  let output: ReturnType<typeof captureOutput>;
  beforeAll(async () => {
    world = await startHandlerWorld();
  });
  afterAll(() => world.close());
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.stop());

  it.each([
    // A spec naming an image ECR does not have: Failed, with no failed action (the case that gave exit 1 and `ok: true`).
    ['an image that does not exist', 'failed', specs(replaced('web:v1', 'web:v9')), fixture(), 1, false, { [METRIC.passFailed]: 1, [METRIC.environmentUnreadable]: 0 }],
    ['an alias steady does not own', 'unrepaired', specs(), fixture((y) => NOT_OURS(STALE_ALIAS(y))), 1, false, { [METRIC.passFailed]: 0, [METRIC.driftUnrepaired]: 2 }],
    ['a drift healed', 'converged', specs(), fixture(STALE_ALIAS), 0, true, { [METRIC.passFailed]: 0, [METRIC.driftHealed]: 1 }],
  ] as const)('%s: %s everywhere', async (_name, verdict, dir, file, code, ok, metrics) => {
    // The CLI.
    const cli = await run('reconcile', dir, '--sim', file);
    output.stop();
    // The Lambda, on the same specs (published) and the same account.
    const files = [{ path: 'specs/web/web.yaml', content: readFileSync(path.join(dir, 'web.yaml')) }];
    await world.publish(files, `truth-${path.basename(dir)}`);
    const account = await simAccountFromFile(file);
    const config = await world.config({ prefix: `truth-${path.basename(dir)}/` });
    const handler = createHandler({ config, clock: account.clock, clientsFor: () => account.clients(), dynamodb: world.dynamodb, pollMs: 5_000 });
    output = captureOutput();
    const answer = await handler({}, lambdaContext({ remainingMs: 300_000 }));
    const env = answer.environments[0];
    const emf = output.emf().find((m) => m.environment === 'web-prod')!;

    expect(cli.code).toBe(code);
    expect(answer.ok).toBe(ok);
    expect(env.verdict).toBe(verdict);
    expect(emf).toMatchObject(metrics);
    // The same first line: the CLI's is the environment and the Lambda's summary.
    expect(firstLine(cli.stdout)).toBe(`web-prod: ${env.summary}`);
    const logged = output.logs().find((l) => l.message === env.summary)!;
    expect(logged).toMatchObject({ level: ok ? 'INFO' : 'ERROR', verdict });
  });
});
