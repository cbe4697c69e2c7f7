/**
 * A migration never registers a revision that drops content the spec cannot express: not the
 * content of the service revision a fromService migration copies, not that of a revision someone
 * registered by hand in the migration's own family.
 */
import { describe, expect, it } from 'vitest';
import { TAG_MIGRATION_VERSION } from '../model/plan.js';
import { canonicalTaskDefinition } from '../model/taskdef.js';
import { DIGEST_B, desiredShop, POLICY, REPO, syncedActual } from '../testing/plan-fixtures.js';
import { plan } from './plan.js';

const newImage = { kind: 'pinned' as const, digest: DIGEST_B, pinned: `${REPO}@${DIGEST_B}` };

describe('a migration and content the spec cannot express', () => {
  it('does not copy a service revision that has such content, and its gate stays closed', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    const svc = actual.services['api']!;
    const td = actual.taskDefinitions[svc.taskDefinitionArn];
    td.content = canonicalTaskDefinition({ ...td.content, futureTaskSetting: 'strict' });
    actual.images[`${REPO}:latest`] = newImage;

    const p = plan(desired, actual, POLICY);

    expect(p.actions.filter((a) => a.resource === 'Migration/db-migrate')).toEqual([]);
    expect(p.resources.find((r) => r.resource === 'Migration/db-migrate')).toMatchObject({
      phase: 'Blocked',
      reason: 'UnexpressibleFields',
      message:
        "it runs a copy of service api's task definition, and ECS service api runs shop-api:7, which has content the spec language cannot express: futureTaskSetting. " +
        'A revision built from the spec would drop it, so steady registers and updates nothing for Migration db-migrate. ' +
        "The migration runs once the service's revision holds only what the spec can say (see the status of Service api)",
      diff: [{ path: 'taskDefinition.futureTaskSetting', before: 'strict', after: undefined }],
    });
    expect(p.actions).toEqual([]);
  });

  it('does not replace a revision registered by hand in its own family with one that lacks its content', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    const latest = actual.migrations['db-migrate'].latest!;
    actual.migrations['db-migrate'].latest = {
      ...latest,
      arn: latest.arn.replace(/:3$/, ':4'),
      revision: 4,
      content: canonicalTaskDefinition({ ...latest.content, futureTaskSetting: { level: 100 } }),
      tags: {},
    };

    const p = plan(desired, actual, POLICY);

    expect(p.actions).toEqual([]);
    const st = p.resources.find((r) => r.resource === 'Migration/db-migrate')!;
    expect(st).toMatchObject({ phase: 'Blocked', reason: 'UnexpressibleFields' });
    expect(st.message).toBe(
      'the latest revision of task definition family shop-api-db-migrate is shop-api-db-migrate:4, which has content the spec language cannot express: futureTaskSetting. ' +
        'A revision built from the spec would drop it, so steady registers and updates nothing for Migration db-migrate. ' +
        'If the migration needs this content, run it outside steady until the spec language can express it; if it does not, deregister shop-api-db-migrate:4 and the next pass registers the migration\'s own revision',
    );
  });

  it('still registers its own next version over a revision steady registered', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    actual.images[`${REPO}:latest`] = newImage;

    const p = plan(desired, actual, POLICY);

    expect(p.actions.filter((a) => a.resource === 'Migration/db-migrate').map((a) => a.kind)).toEqual(['RegisterTaskDefinition', 'RunMigration']);
    expect(actual.migrations['db-migrate'].latest!.tags[TAG_MIGRATION_VERSION]).toBeDefined();
  });
});
