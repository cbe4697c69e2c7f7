/**
 * Environments in other accounts, from the CLI: `--sim` with an organisation fixture (`accounts:`),
 * each environment reached through the role its spec names (STS AssumeRole, aws/accounts.ts). The
 * organisation the CLI built is kept (the real `simOrganizationFromFile`, its result remembered) so
 * the tests read each simulated account afterwards.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { built } from '../testing/built-organizations.js';
import type { SimOrganization } from '../sim/organization.js';
import { runCli as run } from '../testing/cli.js';

vi.mock('../sim/fixture.js', async (original) => (await import('../testing/built-organizations.js')).rememberOrganizations(original));

const HOME = '123456789012';
const SHOP = '210987654321';
const LOST = '310987654321';

// The shop's account trusts the controller (with an external id); the other account has no role for it.
const FIXTURE = `accountId: "${HOME}"
region: ap-northeast-1
accounts:
  - accountId: "${SHOP}"
    role: { name: steady-target, externalId: shop-eu }
    ecr: { repositories: { app: [{ tags: [latest] }] } }
    ecs: { clusters: [shop-eu] }
  - accountId: "${LOST}"
    ecr: { repositories: { app: [{ tags: [latest] }] } }
    ecs: { clusters: [lost-eu] }
`;

/** An environment in `account` reached through its role; with `lb`, its service sits behind a target group (so verify checks it). */
function environment(name: string, account: string, externalId?: string, lb = false): string {
  return `apiVersion: steady.dev/v1alpha1
kind: Environment
metadata: { name: ${name} }
spec:
  region: ap-northeast-1
  cluster: ${name}
  account: "${account}"
  roleArn: arn:aws:iam::${account}:role/steady-target${externalId ? `\n  externalId: ${externalId}` : ''}
---
apiVersion: steady.dev/v1alpha1
kind: Service
metadata: { name: api, environment: ${name} }
spec:
  desiredCount: 1${lb ? `\n  loadBalancer: { targetGroup: ${name}-tg, containerName: app, containerPort: 8000 }` : ''}
  network: { subnets: [subnet-0a1b2c3d4e5f60718] }
  taskDefinition:
    family: ${name}-api
    cpu: 256
    memory: 512
    containers:
      - name: app
        image: ${account}.dkr.ecr.ap-northeast-1.amazonaws.com/app:latest${lb ? '\n        portMappings: [{ containerPort: 8000 }]' : ''}
`;
}

function world(): { specs: string; fixture: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'steady-roles-'));
  writeFileSync(path.join(dir, 'org.yaml'), FIXTURE);
  const specs = path.join(dir, 'specs');
  mkdirSync(specs);
  writeFileSync(path.join(specs, 'shop.yaml'), environment('shop-eu', SHOP, 'shop-eu'));
  writeFileSync(path.join(specs, 'lost.yaml'), environment('lost-eu', LOST, undefined, true));
  return { specs, fixture: path.join(dir, 'org.yaml') };
}

const services = (org: SimOrganization, account: string, cluster: string) =>
  org.account(account, 'ap-northeast-1').calls.filter((c) => c.operation === 'CreateService' && c.input.cluster === cluster).map((c) => c.input.serviceName);

describe('environments in other accounts (--sim with accounts)', () => {
  it('reconcile converges an environment through its role; one whose role does not trust steady is unknown, AccessDenied said once; exit 1', async () => {
    const { specs, fixture } = world();
    built.length = 0;

    const { code, stdout } = await run('reconcile', specs, '--sim', fixture);

    const [org] = built;
    expect(built).toHaveLength(1);
    // The shop's service was created in the shop's account, through the role; nothing in the controller's.
    expect(services(org, SHOP, 'shop-eu')).toEqual(['api']);
    expect(org.account(SHOP, 'ap-northeast-1').ecs.describeServices({ cluster: 'shop-eu', services: ['api'] }).services.map((s) => s.status)).toEqual(['ACTIVE']);
    expect(org.home.calls.filter((c) => c.service === 'ecs')).toEqual([]);
    expect(services(org, LOST, 'lost-eu')).toEqual([]);
    expect(org.account(LOST, 'ap-northeast-1').calls).toEqual([]);
    // One AssumeRole per role, the session named after the pass.
    expect(org.stsCalls.map((c) => [c.operation, c.input.RoleArn, c.input.ExternalId, c.error])).toEqual([
      ['AssumeRole', `arn:aws:iam::${LOST}:role/steady-target`, undefined, 'AccessDenied'],
      ['AssumeRole', `arn:aws:iam::${SHOP}:role/steady-target`, 'shop-eu', undefined],
    ]);
    expect(org.stsCalls[1].input.RoleSessionName).toMatch(/^shop-eu-2026-01-01T00-00-00\.000Z-[0-9a-f]+$/);

    expect(code).toBe(1);
    expect(stdout.split('\n').slice(0, 4)).toEqual([
      'lost-eu  unknown     1 not read (access denied)',
      'shop-eu  converging  1 converging',
      '',
      `lost-eu: AWS could not be read: access denied to sts:AssumeRole (assuming role arn:aws:iam::${LOST}:role/steady-target in account ${LOST}). Nothing was changed.`,
    ]);
    expect(stdout.split('access denied to sts:AssumeRole')).toHaveLength(2);
    expect(stdout).toContain(`? Service/api  not read\n    account ${LOST} (role arn:aws:iam::${LOST}:role/steady-target)\n`);
    expect(stdout).toContain('shop-eu: Converging: 1 registered, 1 created. 1 converging.\n');

    const json = await run('reconcile', specs, '--sim', fixture, '-o', 'json');
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout);
    expect(doc.environments.map((e: { environment: string; verdict: string; exitCode: number }) => [e.environment, e.verdict, e.exitCode])).toEqual([
      ['lost-eu', 'unknown', 1],
      ['shop-eu', 'converging', 0],
    ]);
    expect(doc.environments[0].causes).toEqual([
      {
        kind: 'accessDenied',
        actions: ['sts:AssumeRole'],
        text: `access denied to sts:AssumeRole (assuming role arn:aws:iam::${LOST}:role/steady-target in account ${LOST})`,
        advice: 'Allow sts:AssumeRole to the role or user steady runs as (deploy/policy.ts has the statements steady needs).',
      },
    ]);
    expect(doc.environments[0].apiCalls).toBe(0);
    expect(doc.environments[0].resources.map((r: { resource: string; message: string }) => [r.resource, r.message])).toEqual([
      ['Service/api', `role arn:aws:iam::${LOST}:role/steady-target could not be assumed (AccessDenied); nothing is changed this pass`],
    ]);
    // The JSON run built its own organisation: one denied AssumeRole there too.
    expect(built[1].stsCalls.filter((c) => c.error === 'AccessDenied').map((c) => c.input.RoleArn)).toEqual([`arn:aws:iam::${LOST}:role/steady-target`]);
  });

  it('plan and verify go through the roles too: the unreachable environment is unknown, its cause said once', async () => {
    const { specs, fixture } = world();
    built.length = 0;

    const plan = await run('plan', specs, '--sim', fixture);
    expect(plan.code).toBe(1);
    expect(plan.stdout.split('\n').slice(0, 4)).toEqual([
      'lost-eu  unknown          1 not read (access denied)',
      'shop-eu  changes pending  1 would change',
      '',
      `lost-eu: AWS could not be read: access denied to sts:AssumeRole (assuming role arn:aws:iam::${LOST}:role/steady-target in account ${LOST}). Nothing was planned.`,
    ]);
    // A plan changes nothing in any account.
    expect(services(built[0], SHOP, 'shop-eu')).toEqual([]);
    expect(built[0].stsCalls.map((c) => [c.input.RoleArn, c.error])).toEqual([
      [`arn:aws:iam::${LOST}:role/steady-target`, 'AccessDenied'],
      [`arn:aws:iam::${SHOP}:role/steady-target`, undefined],
    ]);

    const verify = await run('verify', specs, '--sim', fixture);
    expect(verify.code).toBe(1);
    expect(verify.stdout.split('\n').slice(0, 5)).toEqual([
      'lost-eu  unknown  0 Ready, 1 Degraded (api at loadBalancer)',
      'shop-eu  ready    nothing to check',
      '',
      `AWS could not be read: access denied to sts:AssumeRole (assuming role arn:aws:iam::${LOST}:role/steady-target in account ${LOST}).`,
      '    Allow sts:AssumeRole to the role or user steady runs as (deploy/policy.ts has the statements steady needs).',
    ]);
    expect(verify.stdout).toMatch(/\n└─ \? load balancer +not read\n/);
    expect(verify.stdout.split('access denied to sts:AssumeRole')).toHaveLength(2);
    const json = await run('verify', specs, '--sim', fixture, '-o', 'json');
    const lost = JSON.parse(json.stdout).environments[0];
    expect(lost.services.map((s: { links: { name: string; status: string; message: string }[] }) => s.links.map((l) => [l.name, l.status, l.message]))).toEqual([
      [
        [
          'loadBalancer',
          'unknown',
          `role arn:aws:iam::${LOST}:role/steady-target in account ${LOST} could not be assumed (AccessDenied: User: arn:aws:sts::${HOME}:assumed-role/steady-controller/steady is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${LOST}:role/steady-target); nothing was checked`,
        ],
      ],
    ]);
  });

  it('retry of an environment whose role cannot be assumed exits 1 saying why, and changes nothing', async () => {
    const { specs, fixture } = world();
    built.length = 0;
    const denied = `lost-eu could not be read: role arn:aws:iam::${LOST}:role/steady-target in account ${LOST} could not be assumed: AccessDenied: User: arn:aws:sts::${HOME}:assumed-role/steady-controller/steady is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${LOST}:role/steady-target; nothing was changed`;

    const retry = await run('retry', 'service/api', specs, '--env', 'lost-eu', '--sim', fixture);
    expect({ code: retry.code, stdout: retry.stdout, stderr: retry.stderr }).toEqual({ code: 1, stdout: '', stderr: `error: ${denied}\n` });
    expect(built.flatMap((org) => org.account(LOST, 'ap-northeast-1').calls)).toEqual([]);
  });

  it('a one-account fixture refuses an environment that names a role, before any pass (exit 2)', async () => {
    const { specs } = world();
    const single = path.join(path.dirname(specs), 'single.yaml');
    writeFileSync(single, `accountId: "${HOME}"\nregion: ap-northeast-1\n`);

    const { code, stdout, stderr } = await run('reconcile', specs, '--sim', single);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')[0]).toBe(
      `error: lost-eu: the environment assumes arn:aws:iam::${LOST}:role/steady-target, but ${single} describes one account: give a fixture with "accounts" (a simulated organisation); nothing was done`,
    );
  });
});
