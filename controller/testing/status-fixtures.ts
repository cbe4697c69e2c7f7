/**
 * Status-page data with markup in every field that comes from specs, AWS or messages: what the
 * page must show as text and never run. Used by the renderer's tests and the browser tests.
 */
import type { PassResult } from '../model/pass.js';
import type { ResourceStatus } from '../model/plan.js';
import type { SiteData } from '../status-page/data.js';
import type { DriftRecord, PassRecord, StoredStatus } from '../state/records.js';

/** Markup that sets `window.__steadyInjected` if it ever runs, in the forms an attacker would try. */
export const HOSTILE = [
  '<script>window.__steadyInjected = "script"</script>',
  '<img src=x onerror="window.__steadyInjected = \'img\'">',
  '"><svg onload="window.__steadyInjected = \'svg\'">',
  "'><a href=\"javascript:window.__steadyInjected='a'\">x</a>",
];

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

/** One environment whose names, messages, evidence, drift and pass errors all carry `HOSTILE`. */
export function hostileSite(): SiteData {
  const env = `env${HOSTILE[0]}`;
  const name = `api${HOSTILE[1]}`;
  const status = (over: Partial<StoredStatus>): StoredStatus => ({
    environment: env,
    resource: `Service/${name}`,
    kind: 'Service',
    name,
    phase: 'Failed',
    reason: `Reason${HOSTILE[2]}`,
    message: `ECS event: ${HOSTILE.join(' ')}`,
    diff: [],
    specHash: 'h',
    notes: [HOSTILE[3]],
    lastTransitionTime: T0 - 60_000,
    lastError: { message: HOSTILE[0], awsName: HOSTILE[1], what: HOSTILE[2], at: T0 - 30_000, passId: 'p' },
    passId: 'p',
    updatedAt: T0,
    ...over,
  });
  const statuses: StoredStatus[] = [
    status({}),
    status({
      resource: `Wiring/${name}`,
      kind: 'Wiring',
      wiring: {
        names: [`www${HOSTILE[2]}.example.com`],
        loadBalancer: `alb${HOSTILE[3]}`,
        targetGroup: `tg${HOSTILE[0]}`,
        firstBroken: 'forward',
        checkedAt: T0,
        links: [
          { name: 'alias', status: 'ok', ok: true, summary: `alias ${HOSTILE[1]}`, evidence: { record: HOSTILE[0], values: [HOSTILE[1], HOSTILE[2]] } },
          { name: 'forward', status: 'broken', ok: false, summary: HOSTILE[3], evidence: { rule: HOSTILE[2] }, reason: `Forward${HOSTILE[0]}`, message: `fix: ${HOSTILE[1]}` },
          { name: 'targets', status: 'unknown', ok: false, summary: HOSTILE[0], evidence: {}, message: HOSTILE[2] },
        ],
      },
    }),
  ];
  const pass: PassRecord = {
    passId: `p${HOSTILE[0]}`,
    environment: env,
    specVersion: `c0ffee${HOSTILE[1]}`,
    specSource: { author: `Mallory ${HOSTILE[0]}`, gitCommit: HOSTILE[2], message: HOSTILE[3], publishedAt: new Date(T0 - 3_600_000).toISOString() },
    startedAt: T0 - 20_000,
    finishedAt: T0,
    durationMs: 20_000,
    mode: 'enforce',
    dryRun: false,
    outcome: 'failed',
    error: HOSTILE[3],
    actions: { planned: 1, done: 0, failed: 1, blocked: 0, held: 0, pending: 0 },
    apiCalls: { 'ecs:DescribeServices': 1 },
    apiCallCount: 1,
    phases: { Synced: 0, Drifted: 0, Progressing: 0, Blocked: 0, Failed: 2 },
    drift: { detected: 1, healed: 1 },
    failures: [{ resource: `Service/${name}`, summary: HOSTILE[0], message: HOSTILE[1] }],
  };
  const drift: DriftRecord = {
    environment: env,
    resource: `Service/${name}`,
    key: 'k',
    summary: `drift ${HOSTILE[2]}`,
    diff: [],
    detectedAt: T0 - 600_000,
    detectedBy: 'p0',
    lastSeenAt: T0 - 300_000,
    healedAt: T0 - 200_000,
    timeToHealMs: 400_000,
    resolution: 'healed',
    healedBy: `p${HOSTILE[3]}`,
    healedWith: [`update ${HOSTILE[0]}`],
  };
  return {
    generatedAt: T0 + 60_000,
    since: T0 - 7 * 86_400_000,
    source: `table t${HOSTILE[1]}`,
    environments: [
      {
        name: env,
        statuses,
        passes: [pass],
        drift: [drift],
        lease: { holder: HOSTILE[1], expiresAt: T0 + 120_000, state: 'held' },
        report: {
          environment: env,
          passId: 'p',
          startedAt: T0 - 20_000,
          finishedAt: T0,
          mode: 'enforce',
          dryRun: false,
          kind: 'reconcile',
          verdict: 'failed',
          causes: [],
          outcome: 'ok',
          apiCalls: 1,
          counts: { resources: { failed: 1, unknown: 0, unrepaired: 0, wouldChange: 0, converging: 0, healed: 0, created: 0, synced: 0 }, planned: {}, done: {} },
          resources: [
            {
              resource: `Service/${name}`,
              kind: 'Service',
              name,
              outcome: 'failed',
              change: 'update',
              phase: 'Failed',
              reason: 'X',
              message: HOSTILE[0],
              drift: [],
              notes: [],
              actions: [{ id: 'a', kind: 'UpdateService', summary: `update ${HOSTILE[2]}`, state: 'failed', message: HOSTILE[3], awsName: HOSTILE[0] }],
            },
          ],
        },
      },
    ],
  };
}

/**
 * A pass whose environment, resource names, messages, evidence, drift and failures carry
 * `HOSTILE`, to record through the real store (`savePass`) and render from the table.
 */
export function hostilePass(now: number): PassResult {
  const site = hostileSite();
  const env = site.environments[0];
  const environment = `hostile${HOSTILE[0]}`;
  const name = env.statuses[0].name;
  const resources: ResourceStatus[] = env.statuses.map(({ environment: _e, lastTransitionTime: _l, lastError: _x, passId: _p, updatedAt: _u, ...s }) => s);
  return {
    passId: `${environment}/pass`,
    environment,
    specVersion: `c0ffee${HOSTILE[1]}`,
    specSource: env.passes[0].specSource,
    startedAt: now - 20_000,
    finishedAt: now,
    mode: 'enforce',
    dryRun: false,
    outcomes: [{ actionId: 'a', resource: `Service/${name}`, kind: 'UpdateService', summary: `update ${HOSTILE[2]}`, state: 'failed', message: HOSTILE[3], awsName: HOSTILE[0] }],
    resources,
    drift: [{ resource: `Service/${name}`, key: `k${HOSTILE[1]}`, summary: `drift ${HOSTILE[2]}`, diff: [{ path: HOSTILE[0], before: HOSTILE[1], after: HOSTILE[3] }], detectedAt: now - 15_000 }],
    apiCalls: { [`ecs:${HOSTILE[0]}`]: 1 },
    outcome: 'ok',
  };
}
