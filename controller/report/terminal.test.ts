import { describe, expect, it } from 'vitest';
import { aliasHealedPass, mixedPass, pushNewImage, quietPass, recreateAlb, scaleApiToZero, scaledToZeroPass, shopPass } from '../testing/pass-fixtures.js';
import { buildReport } from './model.js';
import { renderReport, renderReportJson } from './terminal.js';

describe('renderReport', () => {
  it('prints a busy pass like terraform, the summary first: symbols, aligned columns, before -> after and actions', () => {
    const text = renderReport(buildReport(mixedPass()), { color: false });

    expect(text).toBe(`shop-prod: Failed: 2 registered, 1 record changed. 1 failed, 1 unrepaired (migration gate), 1 healed.
    spec 3f9c2a17be04 · 2026-01-01 09:00 UTC · 12s · 5 API calls

! Migration/db-migrate  failed      MigrationFailed
    version 4a0aa45fcfb7d79e failed: container app exited with code 1; after fixing it run \`steady
    retry migration/db-migrate --env shop-prod\`
    version: 4ba5f008a97d3637 -> 4a0aa45fcfb7d79e
    done     register task definition shop-api-db-migrate for migration db-migrate version
             4a0aa45fcfb7d79e
    failed   run migration db-migrate (version 4a0aa45fcfb7d79e): alembic upgrade head
             task 0f3c9a stopped: container app exited with code 1 (Essential container in task
             exited)

! Service/api           unrepaired  MigrationFailed
    rollout waits for migration db-migrate, which failed
    taskDefinition.containers[app].image
        123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api@sha256:aaaaaaaaaaaa…
     -> 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api@sha256:bbbbbbbbbbbb…
    done     register task definition shop-api (new revision)
    blocked  update service api: task definition shop-api:7 -> shop-api:<new revision>
             waits for "run migration db-migrate (version 4a0aa45fcfb7d79e): alembic upgrade head",
             which failed: container app exited with code 1

~ AliasRecord/api-dns   healed      in 12s
    api.example.com A
        ALIAS dualstack.shop-api-alb-1234567890.ap-northeast-1.elb.amazonaws.com (zone
        Z14GRHDCWA56QT)
     -> ALIAS shop-api-alb-987654321.ap-northeast-1.elb.amazonaws.com (zone Z14GRHDCWA56QT)
    done     update api.example.com A -> shop-api-alb-987654321.ap-northeast-1.elb.amazonaws.com
`);
  });

  it('prints a dry run as what steady would do', () => {
    const text = renderReport(buildReport(shopPass(pushNewImage, { dryRun: true })), { color: false });

    expect(text).toBe(`shop-prod: Plan: 2 to register, 1 to update, 1 migration to run.
    spec 3f9c2a17be04 · 2026-01-01 09:00 UTC · 12s · 5 API calls
Dry run: nothing was changed. This is what steady would do:

~ Migration/db-migrate  would change
    version: 4ba5f008a97d3637 -> 4a0aa45fcfb7d79e
    would    register task definition shop-api-db-migrate for migration db-migrate version
             4a0aa45fcfb7d79e
    would    run migration db-migrate (version 4a0aa45fcfb7d79e): alembic upgrade head

~ Service/api           would change
    taskDefinition.containers[app].image
        123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api@sha256:aaaaaaaaaaaa…
     -> 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api@sha256:bbbbbbbbbbbb…
    would    register task definition shop-api (new revision)
    would    update service api: task definition shop-api:7 -> shop-api:<new revision>
`);
  });

  it('prints observe mode once in the heading, not as a note on every resource', () => {
    const text = renderReport(buildReport(scaledToZeroPass({ mode: 'observe' })), { color: false });

    expect(text).toBe(`shop-prod: Drifted (observe mode): 1 to update. 1 drifted.
    spec 3f9c2a17be04 · 2026-01-01 09:00 UTC · 12s · 5 API calls
Observe mode: steady reports and changes nothing. This is what steady would do:

~ Service/api  drifted  SettingsDiffer
    desiredCount: 0 -> 2
    would    update service api: desiredCount 0 -> 2
`);
  });

  it('says there is nothing to do in one line, and lists synced resources only when asked', () => {
    const report = buildReport(quietPass());

    expect(renderReport(report, { color: false })).toBe(`shop-prod: No changes. 3 resources in sync.
    spec 3f9c2a17be04 · 2026-01-01 09:00 UTC · 12s · 5 API calls
`);
    expect(renderReport(report, { color: false, showSynced: true })).toContain(`= Migration/db-migrate  in sync
= Service/api           in sync
= AliasRecord/api-dns   in sync
`);
  });

  it('colours only when asked', () => {
    const report = buildReport(aliasHealedPass());

    expect(renderReport(report, { color: false })).not.toContain('\u001b[');
    expect(renderReport(report, { color: true })).toContain('\u001b[32mhealed\u001b[39m');
  });

  it('puts a long before -> after on lines of its own and a short one on one line', () => {
    const report = buildReport(aliasHealedPass());

    expect(renderReport(report, { color: false, width: 240 })).toContain(
      '    api.example.com A: ALIAS dualstack.shop-api-alb-1234567890.ap-northeast-1.elb.amazonaws.com (zone Z14GRHDCWA56QT) -> ALIAS shop-api-alb-987654321.ap-northeast-1.elb.amazonaws.com (zone Z14GRHDCWA56QT)\n',
    );
    expect(renderReport(report, { color: false, width: 80 })).toContain('    api.example.com A\n        ALIAS dualstack.');
  });
});

describe('renderReportJson', () => {
  it('gives machines the whole model with full digests and the summary line', () => {
    const json = JSON.parse(renderReportJson(buildReport(mixedPass())));

    expect(json.summary).toBe('Failed: 2 registered, 1 record changed. 1 failed, 1 unrepaired (migration gate), 1 healed.');
    expect(json.verdict).toBe('failed');
    expect(json.resources.map((r: { resource: string; outcome: string }) => [r.resource, r.outcome])).toEqual([
      ['Migration/db-migrate', 'failed'],
      ['Service/api', 'unrepaired'],
      ['AliasRecord/api-dns', 'healed'],
    ]);
    expect(json.resources[1].drift[0].after).toBe(`123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api@sha256:${'b'.repeat(64)}`);
  });
});

describe('renderReport, less common passes', () => {
  it('says once, wrapped, that the change budget held everything back', () => {
    const result = shopPass(
      (actual) => {
        scaleApiToZero(actual);
        recreateAlb(actual);
      },
      { changeBudget: 1 },
    );

    expect(renderReport(buildReport(result), { color: false })).toBe(`shop-prod: Cannot converge: 1 to update, 1 record to change. 2 unrepaired (change budget).
    spec 3f9c2a17be04 · 2026-01-01 09:00 UTC · 12s · 5 API calls
Change budget exceeded: the plan changes 2 resources, more than the change budget of 1; nothing is
changed. Raise spec.changeBudget of environment shop-prod or change fewer resources at once. This is
what steady would do:

! Service/api          unrepaired  ChangeBudgetExceeded
    desiredCount: 0 -> 2
    would    update service api: desiredCount 0 -> 2

! AliasRecord/api-dns  unrepaired  ChangeBudgetExceeded
    api.example.com A
        ALIAS dualstack.shop-api-alb-1234567890.ap-northeast-1.elb.amazonaws.com (zone
        Z14GRHDCWA56QT)
     -> ALIAS shop-api-alb-987654321.ap-northeast-1.elb.amazonaws.com (zone Z14GRHDCWA56QT)
    would    update api.example.com A -> shop-api-alb-987654321.ap-northeast-1.elb.amazonaws.com
`);
  });

  it('shows a rollout still under way with its pending action', () => {
    const result = shopPass(pushNewImage, {
      outcomes: { 'update:Service/api': { state: 'pending', message: 'deployment ecs-svc/123 IN_PROGRESS' } },
      after: { 'Service/api': { phase: 'Progressing', reason: 'RolloutInProgress', message: 'rolling out shop-api:8: 1 of 2 tasks running' } },
    });

    expect(renderReport(buildReport(result), { color: false })).toBe(`shop-prod: Converging: 2 registered, 1 migration run. 1 converging, 1 healed.
    spec 3f9c2a17be04 · 2026-01-01 09:00 UTC · 12s · 5 API calls

~ Service/api           converging  RolloutInProgress
    rolling out shop-api:8: 1 of 2 tasks running
    taskDefinition.containers[app].image
        123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api@sha256:aaaaaaaaaaaa…
     -> 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api@sha256:bbbbbbbbbbbb…
    done     register task definition shop-api (new revision)
    pending  update service api: task definition shop-api:7 -> shop-api:<new revision>
             deployment ecs-svc/123 IN_PROGRESS

~ Migration/db-migrate  healed      in 12s
    version: 4ba5f008a97d3637 -> 4a0aa45fcfb7d79e
    done     register task definition shop-api-db-migrate for migration db-migrate version
             4a0aa45fcfb7d79e
    done     run migration db-migrate (version 4a0aa45fcfb7d79e): alembic upgrade head
`);
  });

  it('says why a pass failed, in red on a terminal', () => {
    const failed = { ...quietPass(), plan: undefined, resources: [], drift: [], outcome: 'failed' as const, error: 'observing cluster shop-prod: AccessDeniedException: no' };

    expect(renderReport(buildReport(failed), { color: false })).toBe(`shop-prod: Failed: observing cluster shop-prod: AccessDeniedException: no
    spec 3f9c2a17be04 · 2026-01-01 09:00 UTC · 12s · 5 API calls
`);
    expect(renderReport(buildReport(failed), { color: true })).toContain('\u001b[31mshop-prod: Failed: observing cluster shop-prod');
  });
});
