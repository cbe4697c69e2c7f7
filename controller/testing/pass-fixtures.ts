/**
 * PassResults for report tests, made by running the real planner on the plan fixtures with one
 * drift applied, then saying how each action went. The summaries, diffs and statuses are the
 * planner's own, so a change in the planner's wording shows up in the report snapshots.
 */
import type { ActualState, Unreadable } from '../model/actual.js';
import type { ActionOutcome, DriftEvent, PassResult } from '../model/pass.js';
import type { Plan, ResourceStatus } from '../model/plan.js';
import { plan, policyFor } from '../plan/plan.js';
import { derivedDriftKey } from '../report/model.js';
import { DIGEST_B, desiredShop, POLICY, REPO, syncedActual } from './plan-fixtures.js';

/** 2026-01-01 09:00 UTC: when fixture passes start. */
export const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);
export const SPEC_VERSION = '3f9c2a17be04d1c5a9e8';
export const NEW_LB_DNS = 'shop-api-alb-987654321.ap-northeast-1.elb.amazonaws.com';

export interface PassOptions {
  mode?: 'enforce' | 'observe';
  dryRun?: boolean;
  changeBudget?: number;
  /** When the pass starts (default T0); it lasts `durationMs` (default 12 s). */
  at?: number;
  durationMs?: number;
  /** How actions went, by action id; default `done` (or `held` when the plan holds everything). */
  outcomes?: Record<string, Pick<ActionOutcome, 'state'> & Partial<ActionOutcome>>;
  /** Status after the pass, by resource; default: Synced when every action was done, else as planned. */
  after?: Record<string, Partial<ResourceStatus>>;
  /** When each drift was first seen, by resource (default: when the pass started). */
  detectedAt?: Record<string, number>;
  apiCalls?: Record<string, number>;
}

/** The fixture environment with `drift` applied, planned and "executed" as `options` say. */
export function shopPass(drift: (actual: ActualState) => void, options: PassOptions = {}): PassResult {
  const desired = desiredShop({ mode: options.mode ?? 'enforce', changeBudget: options.changeBudget ?? 20 });
  const actual = syncedActual(desired);
  drift(actual);
  const startedAt = options.at ?? T0;
  const finishedAt = startedAt + (options.durationMs ?? 12_000);
  const p = plan(desired, actual, policyFor(desired, { dryRun: options.dryRun ?? false, now: startedAt }));
  return passFromPlan(p, { ...options, startedAt, finishedAt });
}

function passFromPlan(p: Plan, options: PassOptions & { startedAt: number; finishedAt: number }): PassResult {
  const { startedAt, finishedAt } = options;
  const outcomes: ActionOutcome[] = p.actions.map((a, i) => {
    const given = options.outcomes?.[a.id];
    const state = given?.state ?? (p.holdAll ? 'held' : 'done');
    const ran = state === 'done' || state === 'failed' || state === 'pending';
    return {
      actionId: a.id,
      resource: a.resource,
      kind: a.kind,
      summary: a.summary,
      ...(ran ? { startedAt: startedAt + 1000 * (i + 1), finishedAt: startedAt + 1000 * (i + 2) } : {}),
      ...given,
      state,
    };
  });
  const resources: ResourceStatus[] = p.resources.map((r) => {
    const mine = outcomes.filter((o) => o.resource === r.resource);
    const healed = r.phase === 'Drifted' && mine.length > 0 && mine.every((o) => o.state === 'done');
    const base: ResourceStatus = healed ? { ...r, phase: 'Synced', reason: 'UpToDate', message: 'in sync', diff: [] } : r;
    return { ...base, ...options.after?.[r.resource] };
  });
  const drift: DriftEvent[] = p.resources
    .filter((r) => r.phase === 'Drifted')
    .map((r) => {
      const healed = resources.find((s) => s.resource === r.resource)?.phase === 'Synced';
      return {
        resource: r.resource,
        key: derivedDriftKey(r.resource, r.reason, r.diff),
        summary: r.message,
        diff: r.diff.map((d) => ({ path: d.path, before: d.before, after: d.after })),
        detectedAt: options.detectedAt?.[r.resource] ?? startedAt,
        ...(healed ? { healedAt: finishedAt } : {}),
      };
    });
  return {
    passId: `shop-prod/${new Date(startedAt).toISOString()}/ab12`,
    environment: 'shop-prod',
    specVersion: SPEC_VERSION,
    startedAt,
    finishedAt,
    mode: p.policy.mode,
    dryRun: p.policy.dryRun,
    plan: p,
    outcomes,
    resources,
    drift,
    apiCalls: options.apiCalls ?? { 'ecs:DescribeServices': 1, 'ecs:DescribeTaskDefinition': 2, 'elbv2:DescribeLoadBalancers': 1, 'route53:ListResourceRecordSets': 1 },
    outcome: 'ok',
  };
}

// --- drifts -------------------------------------------------------------------------------------

/** A new image was pushed behind `:latest`. */
export function pushNewImage(actual: ActualState): void {
  actual.images[`${REPO}:latest`] = { kind: 'pinned', digest: DIGEST_B, pinned: `${REPO}@${DIGEST_B}` };
}

/** The ALB was recreated and got a new DNS name. */
export function recreateAlb(actual: ActualState): void {
  actual.loadBalancers['shop-api-alb']!.dnsName = NEW_LB_DNS;
}

/** Someone scaled the API service to zero by hand. */
export function scaleApiToZero(actual: ActualState): void {
  actual.services['api']!.desiredCount = 0;
}

// --- whole passes -------------------------------------------------------------------------------

/** Everything in sync: nothing planned, nothing done. */
export function quietPass(options: PassOptions = {}): PassResult {
  return shopPass(() => {}, options);
}

/** The ALB was recreated; steady UPSERTed the alias within the pass. */
export function aliasHealedPass(options: PassOptions = {}): PassResult {
  return shopPass(recreateAlb, options);
}

/** The API service was scaled to zero by hand and is still at zero (observe mode, or not yet healed). */
export function scaledToZeroPass(options: PassOptions = {}): PassResult {
  return shopPass(scaleApiToZero, options);
}

/**
 * The busy pass: a new image and a recreated ALB. The alias is healed; the migration for the new
 * image fails (exit code 1), so the API rollout is blocked behind it after its revision was
 * registered.
 */
export function mixedPass(options: PassOptions = {}): PassResult {
  const runMigration = 'run migration db-migrate';
  return shopPass(
    (actual) => {
      pushNewImage(actual);
      recreateAlb(actual);
    },
    {
      ...options,
      outcomes: {
        'run:Migration/db-migrate': { state: 'failed', message: 'task 0f3c9a stopped: container app exited with code 1 (Essential container in task exited)' },
        'update:Service/api': {
          state: 'blocked',
          message: `waits for "${runMigration} (version 4a0aa45fcfb7d79e): alembic upgrade head", which failed: container app exited with code 1`,
        },
        ...options.outcomes,
      },
      after: {
        'Migration/db-migrate': {
          phase: 'Failed',
          reason: 'MigrationFailed',
          message: 'version 4a0aa45fcfb7d79e failed: container app exited with code 1; after fixing it run `steady retry migration/db-migrate --env shop-prod`',
        },
        'Service/api': { phase: 'Blocked', reason: 'MigrationFailed', message: 'rollout waits for migration db-migrate, which failed' },
        ...options.after,
      },
    },
  );
}

/** The service was scaled to zero by hand and AWS refused steady's UpdateService. */
export function accessDeniedPass(options: PassOptions = {}): PassResult {
  return shopPass(scaleApiToZero, {
    ...options,
    outcomes: {
      'update:Service/api': {
        state: 'failed',
        awsName: 'AccessDeniedException',
        message:
          'updating service api in cluster shop-prod: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/steady-controller/steady is not authorized to perform: ecs:UpdateService',
      },
      ...options.outcomes,
    },
    after: { 'Service/api': { phase: 'Failed', reason: 'UpdateFailed', message: 'AWS refused the update: AccessDeniedException' }, ...options.after },
  });
}

/**
 * No credentials: the ECS cluster and the hosted zone could not be read, so the service, the
 * migration and the alias are unknown (what a pass with no credentials sees).
 */
export function unreadablePass(options: PassOptions = {}): PassResult {
  const cause = (action: string, doing: string) => ({
    kind: 'noCredentials' as const,
    action,
    doing,
    code: 'CredentialsProviderError',
    message: 'Could not load credentials from any providers',
  });
  const unreadable: Unreadable[] = [
    {
      what: 'ECS cluster shop-prod',
      affects: ['Service/api', 'Migration/db-migrate'],
      awsName: 'CredentialsProviderError',
      message: 'describing cluster shop-prod: CredentialsProviderError: Could not load credentials from any providers',
      transient: false,
      cause: cause('ecs:DescribeClusters', 'describing cluster shop-prod'),
    },
    {
      what: 'hosted zone example.com',
      affects: ['AliasRecord/api-dns'],
      awsName: 'CredentialsProviderError',
      message: 'looking up hosted zone example.com: CredentialsProviderError: Could not load credentials from any providers',
      transient: false,
      cause: cause('route53:ListHostedZonesByName', 'looking up hosted zone example.com'),
    },
  ];
  const result = shopPass((actual) => {
    actual.cluster = undefined;
    delete actual.zones['example.com'];
    actual.unreadable.push(...unreadable);
  }, options);
  return { ...result, unreadable };
}

/**
 * The state store's fixture: pass `n` over the shop environment renamed to `environment`,
 * finishing at `finishedAt` after 20 s, every resource Synced unless `overrides` says otherwise
 * (`actual` replaces the synced state the plan is made from).
 */
export function storedPass(
  environment: string,
  n: number,
  finishedAt: number,
  overrides: Partial<PassResult> & { actual?: ActualState } = {},
): { result: PassResult; actual: ActualState } {
  const desired = { ...desiredShop(), name: environment };
  const { actual: given, ...rest } = overrides;
  const actual = given ?? syncedActual(desired, finishedAt - 5_000);
  const planned = plan(desired, actual, { ...POLICY, now: finishedAt - 10_000 });
  const result: PassResult = {
    passId: `${environment}/pass-${n}`,
    environment,
    specVersion: 'spec-1',
    startedAt: finishedAt - 20_000,
    finishedAt,
    mode: 'enforce',
    dryRun: false,
    plan: planned,
    outcomes: [],
    resources: planned.resources,
    drift: [],
    apiCalls: {},
    outcome: 'ok',
    ...rest,
  };
  return { result, actual };
}
