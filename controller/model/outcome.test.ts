import { describe, expect, it } from 'vitest';
import { accessDeniedPass, aliasHealedPass, mixedPass, pushNewImage, quietPass, recreateAlb, scaleApiToZero, scaledToZeroPass, shopPass, unreadablePass } from '../testing/pass-fixtures.js';
import type { AwsCause } from './causes.js';
import { describeCauses } from './causes.js';
import type { PassResult } from './pass.js';
import { changeOf, driftCounts, exitCode, isOk, passOutcome, resourceVerdicts, verdictExitCode, type PassFacts } from './outcome.js';
import type { ResourceStatus } from './plan.js';

const noCredentials = (action: string, doing: string): AwsCause => ({
  kind: 'noCredentials',
  action,
  doing,
  code: 'CredentialsProviderError',
  message: 'Could not load credentials from any providers',
});
const clusterUnreadable = unreadablePass;

const skipped = (): PassResult => ({ ...quietPass(), plan: undefined, resources: [], drift: [], outcome: 'skipped', skipped: 'leaseHeld', error: 'lease for environment shop-prod is held by x until y' });

describe('the verdict of a pass', () => {
  it.each([
    ['nothing to do', 'converged', () => quietPass(), 0, 0],
    ['a plan with nothing to do', 'converged', () => quietPass({ dryRun: true }), 0, 0],
    ['a plan with changes', 'changesPending', () => shopPass(pushNewImage, { dryRun: true }), 2, 0],
    ['a drift healed in the pass', 'converged', () => aliasHealedPass(), 0, 0],
    ['a rollout steady started, under way', 'converging', () => shopPass(pushNewImage, { after: { 'Service/api': { phase: 'Progressing', reason: 'RollingOut', message: 'rolling out' } } }), 0, 0],
    ['observe mode with drift', 'drifted', () => scaledToZeroPass({ mode: 'observe' }), 2, 0],
    ['a plan of an observe-mode environment', 'changesPending', () => scaledToZeroPass({ mode: 'observe', dryRun: true }), 2, 0],
    ['a change budget exceeded', 'unrepaired', () => shopPass((a) => (scaleApiToZero(a), recreateAlb(a)), { changeBudget: 1 }), 1, 1],
    ['a failed migration blocking a rollout', 'failed', () => mixedPass(), 1, 1],
    ['a change AWS refused', 'failed', () => accessDeniedPass(), 1, 1],
    ['AWS unreadable (no credentials)', 'unknown', () => clusterUnreadable(), 1, 1],
    ['a plan that could not read AWS', 'unknown', () => clusterUnreadable({ dryRun: true }), 1, 1],
    ['a held lease', 'skipped', skipped, 3, 3],
  ] as const)('%s is %s', (_name, verdict, make, planCode, reconcileCode) => {
    const outcome = passOutcome(make());

    expect(outcome.verdict).toBe(verdict);
    expect(verdictExitCode('plan', outcome.verdict)).toBe(planCode);
    expect(verdictExitCode('reconcile', outcome.verdict)).toBe(reconcileCode);
  });

  it('never says "no changes" when AWS could not be read: the unread resources are unknown, with what and why', () => {
    const outcome = passOutcome(clusterUnreadable({ dryRun: true }));

    expect(outcome.counts).toMatchObject({ unknown: 3, synced: 0 });
    expect(outcome.resources.find((r) => r.resource === 'Service/api')).toEqual({
      resource: 'Service/api',
      kind: 'Service',
      outcome: 'unknown',
      unread: [{ what: 'ECS cluster shop-prod', cause: noCredentials('ecs:DescribeClusters', 'describing cluster shop-prod') }],
    });
    expect(outcome.causes.map((c) => c.action)).toEqual(['ecs:DescribeClusters', 'route53:ListHostedZonesByName']);
  });

  it('tells a conflict, a migration gate and observe mode apart among what is left unrepaired', () => {
    const conflict = shopPass((a) => {
      const zone = a.zones['example.com']!;
      zone.records = zone.records.filter((r) => r.type !== 'TXT');
    });
    expect(resourceVerdicts(conflict).find((r) => r.resource === 'AliasRecord/api-dns')).toMatchObject({ outcome: 'unrepaired', blockedBy: 'conflict' });
    expect(resourceVerdicts(mixedPass()).find((r) => r.resource === 'Service/api')).toMatchObject({ outcome: 'unrepaired', blockedBy: 'migration' });
    expect(resourceVerdicts(scaledToZeroPass({ mode: 'observe' })).find((r) => r.resource === 'Service/api')).toMatchObject({ outcome: 'unrepaired', blockedBy: 'observe' });
  });

  it('calls a first creation "created", not "healed", and does not count it as drift', () => {
    const created = shopPass((a) => {
      const zone = a.zones['example.com']!;
      zone.records = zone.records.filter((r) => !r.name.endsWith('api.example.com'));
    });

    expect(resourceVerdicts(created).find((r) => r.resource === 'AliasRecord/api-dns')?.outcome).toBe('created');
    expect(driftCounts(created)).toEqual({ found: 0, healed: 0, unrepaired: 0 });
    expect(driftCounts(aliasHealedPass())).toEqual({ found: 1, healed: 1, unrepaired: 0 });
  });

  it('is failed, not converged, when a pass recorded a failed change its plan does not list', () => {
    const result = quietPass();
    result.outcomes.push({ actionId: 'x', resource: 'Service/api', kind: 'UpdateService', summary: 'update service api', state: 'failed' });

    expect(passOutcome(result).verdict).toBe('failed');
  });
});

describe('exit codes over several environments', () => {
  it.each([
    ['plan', ['converged', 'converging'], 0],
    ['plan', ['converged', 'changesPending'], 2],
    ['plan', ['changesPending', 'unknown'], 1],
    ['reconcile', ['converged', 'skipped'], 3],
    ['reconcile', ['skipped', 'failed'], 1],
    ['reconcile', ['drifted', 'converging'], 0],
  ] as const)('%s of %j exits %i', (command, verdicts, code) => {
    expect(exitCode(command, [...verdicts])).toBe(code);
  });

  it('makes the Lambda ok exactly when a reconcile would exit 0 or 3', () => {
    for (const verdict of ['converged', 'converging', 'drifted', 'skipped', 'unrepaired', 'failed', 'unknown'] as const) {
      expect(isOk({ verdict, plan: false })).toBe([0, 3].includes(verdictExitCode('reconcile', verdict)));
    }
    expect(isOk({ verdict: 'changesPending', plan: true })).toBe(true);
    expect(isOk({ verdict: 'unknown', plan: true })).toBe(false);
  });
});

describe('describeCauses', () => {
  it('says one cause once, however many reads it failed', () => {
    const causes = passOutcome(clusterUnreadable()).causes;

    expect(describeCauses(causes)).toEqual([
      {
        kind: 'noCredentials',
        actions: ['ecs:DescribeClusters', 'route53:ListHostedZonesByName'],
        text: "no credentials were found (the SDK's default chain: environment, shared config, SSO, instance role)",
        advice: 'Give steady credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or `aws sso login`, or a role where it runs) and run it again.',
      },
    ]);
  });

  it('names every action denied, and fits the advice to the cause', () => {
    const denied = (action: string, doing: string): AwsCause => ({ kind: 'accessDenied', action, doing, code: 'AccessDeniedException', message: 'not authorized', httpStatus: 403 });
    const unreachable: AwsCause = { kind: 'unreachable', action: 'ecs:DescribeServices', doing: 'describing services', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' };

    const [refused, forbidden] = describeCauses(
      [denied('ecs:DescribeServices', 'describing services api in cluster prod'), denied('ecs:DescribeClusters', 'describing cluster prod'), unreachable],
      { AWS_ENDPOINT_URL: 'http://127.0.0.1:1' },
    );

    expect(refused).toMatchObject({ kind: 'unreachable', text: 'the endpoint could not be reached (connect ECONNREFUSED 127.0.0.1:1)' });
    expect(refused.advice).toBe('Check the network, the region and AWS_ENDPOINT_URL=http://127.0.0.1:1, then run it again.');
    expect(forbidden.text).toBe('access denied to ecs:DescribeClusters (describing cluster prod), ecs:DescribeServices (describing services api in cluster prod)');
    expect(forbidden.advice).toMatch(/^Allow ecs:DescribeClusters, ecs:DescribeServices to the role or user steady runs as/);
  });
});

describe('what a pass was, from its resources alone (rules of the verdict and exit codes)', () => {
  const status = (name: string, phase: ResourceStatus['phase'], reason: string, extra: Partial<ResourceStatus> = {}): ResourceStatus => ({
    resource: `Service/${name}`,
    kind: 'Service',
    name,
    phase,
    reason,
    message: '',
    diff: [],
    specHash: 'h',
    ...extra,
  });
  const facts = (resources: ResourceStatus[], extra: Partial<PassFacts> = {}): PassFacts => ({ plan: undefined, outcomes: [], resources, drift: [], dryRun: false, mode: 'enforce', ...extra });

  it.each([
    ['ChangeBudgetExceeded', 'changeBudget'],
    ['MigrationFailed', 'migration'],
    ['WaitingForMigration', 'migration'],
    ['DependencyNotReady', 'dependency'],
    ['ServiceDraining', 'aws'],
    ['Conflict', 'conflict'],
    ['UnexpressibleFields', 'unexpressible'],
    ['SomethingElse', 'none'],
  ])('a resource Blocked for %s is unrepaired, blocked by %s', (reason, blockedBy) => {
    expect(resourceVerdicts(facts([status('api', 'Blocked', reason)]))).toStrictEqual([{ resource: 'Service/api', kind: 'Service', outcome: 'unrepaired', blockedBy }]);
  });

  it('a dependency that waits on a failed or pending migration is blocked by the migration', () => {
    const planned = (reason: string) => ({ resources: [status('api', 'Drifted', reason)], actions: [], holdAll: false, budget: { exceeded: false } }) as unknown as PassFacts['plan'];

    expect(resourceVerdicts(facts([status('api', 'Blocked', 'DependencyNotReady')], { plan: planned('MigrationFailed') }))[0].blockedBy).toBe('migration');
    expect(resourceVerdicts(facts([status('api', 'Blocked', 'DependencyNotReady')], { plan: planned('WaitingForMigration') }))[0].blockedBy).toBe('migration');
    expect(resourceVerdicts(facts([status('api', 'Blocked', 'DependencyNotReady')], { plan: planned('TaskDefinitionDiffers') }))[0].blockedBy).toBe('dependency');
  });

  it('an interrupted pass is interrupted, unless something failed or could not be read', () => {
    const interrupted = { interrupted: { reason: 'leaseLost' as const, stage: 'converge' as const, message: 'lost' } };

    expect(passOutcome(facts([status('api', 'Drifted', 'TaskDefinitionDiffers')], interrupted))).toMatchObject({ verdict: 'interrupted', interrupted: 'leaseLost' });
    expect(passOutcome(facts([status('api', 'Failed', 'RolloutFailed')], interrupted)).verdict).toBe('failed');
    expect(passOutcome(facts([status('api', 'Synced', 'InSync')])).interrupted).toBeUndefined();
  });

  it('a skipped pass says why; a pass that could not run is failed whatever its resources', () => {
    expect(passOutcome(facts([status('api', 'Synced', 'InSync')], { outcome: 'skipped', skipped: 'outOfTime' }))).toMatchObject({ verdict: 'skipped', skipped: 'outOfTime' });
    expect(passOutcome(facts([], { outcome: 'skipped' })).skipped).toBeUndefined();
    expect(passOutcome(facts([status('api', 'Synced', 'InSync')], { outcome: 'failed' })).verdict).toBe('failed');
    expect(passOutcome(facts([status('api', 'Synced', 'InSync')], { outcome: 'ok' })).verdict).toBe('converged');
  });

  it('observe mode: a reconcile that leaves drift is drifted, enforce mode is unrepaired', () => {
    expect(passOutcome(facts([status('api', 'Drifted', 'TaskDefinitionDiffers')], { mode: 'observe' })).verdict).toBe('drifted');
    expect(passOutcome(facts([status('api', 'Drifted', 'TaskDefinitionDiffers')], { mode: 'enforce' })).verdict).toBe('unrepaired');
    expect(passOutcome(facts([status('api', 'Blocked', 'Conflict'), status('web', 'Drifted', 'X')], { mode: 'observe' })).verdict).toBe('unrepaired');
  });

  it('a plan ignores the wiring checks, a reconcile does not; their causes are counted once', () => {
    const cause: AwsCause = { kind: 'accessDenied', action: 'elasticloadbalancing:DescribeTargetHealth', doing: 'reading target health', code: 'AccessDenied', message: 'no' };
    const wiring = { ...status('api', 'Failed', 'ReadFailed'), resource: 'Wiring/api', kind: 'Wiring' as const, unread: [{ what: 'target health', cause }, { what: 'target health again', cause }] };

    expect(passOutcome(facts([status('api', 'Synced', 'InSync'), wiring], { dryRun: true }))).toMatchObject({ verdict: 'converged', causes: [cause] });
    expect(passOutcome(facts([status('api', 'Synced', 'InSync'), wiring], { dryRun: false }))).toMatchObject({ verdict: 'unknown', causes: [cause] });
    expect(passOutcome(facts([status('api', 'Synced', 'InSync'), { ...wiring, unread: [{ what: 'x' }] }])).causes).toEqual([]);
  });

  it('drift in numbers: healed only when healed in this pass, unrepaired by outcome', () => {
    const drift = (resource: string, healedAt?: number) => ({ resource, key: resource, summary: '', diff: [], detectedAt: 1, ...(healedAt ? { healedAt } : {}) });
    const pass = facts([status('a', 'Synced', 'InSync'), status('b', 'Drifted', 'X'), status('c', 'Drifted', 'X')], { drift: [drift('Service/a', 5), drift('Service/b'), drift('Service/c', 5)] });

    expect(driftCounts(pass, { resources: [
      { resource: 'Service/a', kind: 'Service', outcome: 'healed' },
      { resource: 'Service/b', kind: 'Service', outcome: 'unrepaired' },
      { resource: 'Service/c', kind: 'Service', outcome: 'unrepaired' },
    ] })).toStrictEqual({ found: 3, healed: 1, unrepaired: 2 });
  });

  it('what a change was: created, updated or nothing', () => {
    const diff = (...before: (string | undefined)[]) => ({ diff: before.map((b) => ({ path: 'p', before: b, after: 'x' })) }) as unknown as ResourceStatus;

    expect(changeOf(undefined, [])).toBe('none');
    expect(changeOf(diff(), [])).toBe('none');
    expect(changeOf(diff(), [{ kind: 'UpdateService' }])).toBe('update');
    expect(changeOf(undefined, [{ kind: 'UpdateService' }, { kind: 'CreateService' }])).toBe('create');
    expect(changeOf(diff(undefined, undefined), [])).toBe('create');
    expect(changeOf(diff(undefined, 'old'), [])).toBe('update');
  });

  it.each([
    ['converged', 0, 0],
    ['converging', 0, 0],
    ['changesPending', 2, 0],
    ['drifted', 2, 0],
    ['skipped', 3, 3],
    ['unrepaired', 1, 1],
    ['failed', 1, 1],
    ['unknown', 1, 1],
    ['interrupted', 1, 1],
  ] as const)('%s: plan exits %i, reconcile %i', (verdict, plan, reconcile) => {
    expect(verdictExitCode('plan', verdict)).toBe(plan);
    expect(verdictExitCode('reconcile', verdict)).toBe(reconcile);
  });

  it('an interrupted pass is ok only when it ran out of time', () => {
    expect(isOk({ verdict: 'interrupted', plan: false, interrupted: 'outOfTime' })).toBe(true);
    expect(isOk({ verdict: 'interrupted', plan: false, interrupted: 'leaseLost' })).toBe(false);
    expect(isOk({ verdict: 'interrupted', plan: false, interrupted: 'aborted' })).toBe(false);
    expect(isOk({ verdict: 'drifted', plan: false })).toBe(true);
    expect(isOk({ verdict: 'unrepaired', plan: false })).toBe(false);
  });
});
