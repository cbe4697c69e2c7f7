import { describe, expect, it } from 'vitest';
import type { ActionOutcome } from '../model/pass.js';
import { TAG_MIGRATION_RESULT } from '../model/plan.js';
import { plan, policyFor } from '../plan/plan.js';
import { DIGEST_B, desiredShop, POLICY, REPO, syncedActual } from '../testing/plan-fixtures.js';
import { driftOf, statusesAfter } from './status.js';

const done = (p: ReturnType<typeof plan>): ActionOutcome[] =>
  p.actions.map((a) => ({ actionId: a.id, resource: a.resource, kind: a.kind, summary: a.summary, state: 'done', finishedAt: POLICY.now + 1000 }));

describe('statusesAfter and driftOf', () => {
  it('keep a service Blocked behind a failed migration even when its scale-up succeeded', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    actual.images[`${REPO}:latest`] = { kind: 'pinned', digest: DIGEST_B, pinned: `${REPO}@${DIGEST_B}` };
    actual.services['api']!.desiredCount = 1;
    const latest = actual.migrations['db-migrate'].latest!;
    const first = plan(desired, actual, policyFor(desired, POLICY));
    const version = (first.actions.find((a) => a.kind === 'RunMigration') as { version: string }).version;
    latest.tags = { ...latest.tags, 'steady:migration-version': version, [TAG_MIGRATION_RESULT]: 'failed: exit code 1' };
    const p = plan(desired, actual, policyFor(desired, POLICY));

    const after = statusesAfter(p, done(p));

    const api = after.find((r) => r.resource === 'Service/api')!;
    expect(api).toMatchObject({ phase: 'Blocked', reason: 'MigrationFailed' });
    expect(api.notes).toContain('done: update service api: desiredCount 1 -> 2');
    expect(driftOf(p, done(p), POLICY.now).find((d) => d.resource === 'Service/api')?.healedAt).toBeUndefined();
  });

  it('call a drifted alias healed when its change is done, with the time it was done', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    actual.loadBalancers['shop-api-alb']!.dnsName = 'shop-api-alb-1.ap-northeast-1.elb.amazonaws.com';
    const p = plan(desired, actual, policyFor(desired, POLICY));

    expect(statusesAfter(p, done(p)).find((r) => r.resource === 'AliasRecord/api-dns')).toMatchObject({ phase: 'Synced', reason: 'Healed' });
    expect(driftOf(p, done(p), POLICY.now)).toEqual([expect.objectContaining({ resource: 'AliasRecord/api-dns', detectedAt: POLICY.now, healedAt: POLICY.now + 1000 })]);
  });
});
