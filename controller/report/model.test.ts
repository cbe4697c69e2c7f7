import { describe, expect, it } from 'vitest';
import type { AlertState } from '../model/alerts.js';
import { accessDeniedPass, aliasHealedPass, mixedPass, quietPass, scaledToZeroPass, shopPass, pushNewImage, T0 } from '../testing/pass-fixtures.js';
import { buildReport, derivedDriftKey, summaryLine } from './model.js';

const brief = (r: ReturnType<typeof buildReport>) => r.resources.map((x) => `${x.resource} ${x.outcome}`);

describe('buildReport', () => {
  it('says per resource what was healed, what failed and what is blocked, most urgent first', () => {
    const report = buildReport(mixedPass());

    expect(brief(report)).toEqual(['Migration/db-migrate failed', 'Service/api unrepaired', 'AliasRecord/api-dns healed']);
    expect(report.resources[1].blockedBy).toBe('migration');
    expect(report.counts.resources).toEqual({ failed: 1, unknown: 0, unrepaired: 1, wouldChange: 0, converging: 0, healed: 1, created: 0, synced: 0 });
    expect(report.verdict).toBe('failed');
    expect(report.counts.planned).toEqual({ RegisterTaskDefinition: 2, RunMigration: 1, UpdateService: 1, ChangeRecords: 1 });
    expect(report.counts.done).toEqual({ RegisterTaskDefinition: 2, ChangeRecords: 1 });
    expect(report).toMatchObject({ environment: 'shop-prod', specVersion: '3f9c2a17be04d1c5a9e8', kind: 'reconcile', outcome: 'ok', apiCalls: 5 });
  });

  it('keeps the field-level drift and each action with its outcome', () => {
    const api = buildReport(mixedPass()).resources.find((r) => r.resource === 'Service/api')!;

    expect(api.drift).toEqual([
      {
        path: 'taskDefinition.containers[app].image',
        before: `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api@sha256:${'a'.repeat(64)}`,
        after: `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api@sha256:${'b'.repeat(64)}`,
      },
    ]);
    expect(api.actions.map((a) => [a.kind, a.state])).toEqual([
      ['RegisterTaskDefinition', 'done'],
      ['UpdateService', 'blocked'],
    ]);
    expect(api.actions[1].message).toBe(
      'waits for "run migration db-migrate (version 4a0aa45fcfb7d79e): alembic upgrade head", which failed: container app exited with code 1',
    );
    expect(api).toMatchObject({ phase: 'Blocked', reason: 'MigrationFailed', message: 'rollout waits for migration db-migrate, which failed' });
  });

  it('gives the time-to-heal of a drift healed in the pass', () => {
    const alias = buildReport(aliasHealedPass({ durationMs: 42_000 })).resources[0];

    expect(alias).toMatchObject({ resource: 'AliasRecord/api-dns', outcome: 'healed', detectedAt: T0, healedAt: T0 + 42_000, timeToHealMs: 42_000 });
  });

  it('counts the time-to-heal from when an earlier pass first saw the drift', () => {
    const firstSeenAt = T0 - 3 * 3600_000;
    const alert: AlertState = { key: 'k', resource: 'AliasRecord/api-dns', kind: 'drift', summary: 's', firstSeenAt, lastNotifiedAt: firstSeenAt, notifications: 1 };

    const alias = buildReport(aliasHealedPass(), { alerts: [alert] }).resources[0];

    expect(alias.timeToHealMs).toBe(3 * 3600_000 + 12_000);
  });

  it('keeps the AWS error name of a failed action', () => {
    const api = buildReport(accessDeniedPass()).resources.find((r) => r.resource === 'Service/api')!;

    expect(api).toMatchObject({ outcome: 'failed', awsName: 'AccessDeniedException', reason: 'UpdateFailed' });
  });

  it('reports observe mode as drift left unrepaired by choice and says why once, not per resource', () => {
    const report = buildReport(scaledToZeroPass({ mode: 'observe' }));

    expect(report).toMatchObject({ kind: 'plan', held: 'observe', verdict: 'drifted', heldBecause: 'environment is in observe mode: steady reports, and changes nothing' });
    expect(brief(report)).toEqual(['Service/api unrepaired', 'Migration/db-migrate synced', 'AliasRecord/api-dns synced']);
    expect(report.resources[0].blockedBy).toBe('observe');
    expect(report.resources[0].notes).toEqual([]);
    expect(report.resources[0].actions.map((a) => a.state)).toEqual(['held']);
  });

  it('reports a dry run as a plan', () => {
    const report = buildReport(shopPass(pushNewImage, { dryRun: true }));

    expect(report).toMatchObject({ kind: 'plan', held: 'dryRun', verdict: 'changesPending' });
    expect(summaryLine(report)).toBe('Plan: 2 to register, 1 to update, 1 migration to run.');
  });

  it('derives the same drift key whatever the order of the diff', () => {
    const a = { path: 'a', before: '1', after: '2' };
    const b = { path: 'b', before: undefined, after: 'x' };

    expect(derivedDriftKey('Service/api', 'SettingsDiffer', [a, b])).toBe(derivedDriftKey('Service/api', 'SettingsDiffer', [b, a]));
    expect(derivedDriftKey('Service/api', 'SettingsDiffer', [a])).not.toBe(derivedDriftKey('Service/api', 'SettingsDiffer', [{ ...a, after: '3' }]));
  });
});

describe('summaryLine', () => {
  it.each([
    ['a busy pass', () => mixedPass(), 'Failed: 2 registered, 1 record changed. 1 failed, 1 unrepaired (migration gate), 1 healed.'],
    ['a quiet pass', () => quietPass(), 'No changes. 3 resources in sync.'],
    ['a refused change', () => accessDeniedPass(), 'Failed: nothing changed. 1 failed.'],
    ['observe mode', () => scaledToZeroPass({ mode: 'observe' }), 'Drifted (observe mode): 1 to update. 1 drifted.'],
    ['a failed pass', () => ({ ...quietPass(), plan: undefined, resources: [], outcome: 'failed' as const, error: 'observing cluster shop-prod: AccessDeniedException: no' }), 'Failed: observing cluster shop-prod: AccessDeniedException: no'],
    ['a skipped pass', () => ({ ...quietPass(), plan: undefined, resources: [], outcome: 'skipped' as const, skipped: 'leaseHeld' as const, error: 'lease for environment shop-prod is held by cli:ann@host:1 until 2026-01-01T09:05:00.000Z' }), 'Skipped: lease for environment shop-prod is held by cli:ann@host:1 until 2026-01-01T09:05:00.000Z; nothing was done.'],
  ])('summarises %s', (_name, make, line) => {
    expect(summaryLine(buildReport(make()))).toBe(line);
  });
});
