import { ListTagsForResourceCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { TAG_CONTENT } from '../model/plan.js';
import { createAdapters, runPass } from '../pass.js';
import { buildEnvironment } from '../testing/fleet.js';

describe('observing services after a cold start', () => {
  it('does not describe a revision steady rolled out whose content fingerprint matches the spec', async () => {
    const { account, desired } = buildEnvironment(20);
    await runPass({ desired, adapters: createAdapters(account.clients()), clock: account.clock });
    account.clock.advance(15 * 60_000);

    // A new container: fresh clients, an empty task-definition cache.
    const from = account.calls.length;
    const { result } = await runPass({ desired, adapters: createAdapters(account.clients()), clock: account.clock });

    expect(result.plan!.actions).toEqual([]);
    // Only the migration's latest revision is described (its tags change); none of the 20 services'.
    expect(account.calls.slice(from).filter((c) => c.operation === 'DescribeTaskDefinition').map((c) => c.input.taskDefinition)).toEqual(['svc-0000-migrate-00']);
  });

  it('describes the revision when its content is not the spec’s (a new image pushed) and plans the rollout', async () => {
    const { account, desired, layout } = buildEnvironment(20);
    await runPass({ desired, adapters: createAdapters(account.clients()), clock: account.clock });
    account.clock.advance(15 * 60_000);
    account.ecr.push(layout.services[5].repository, layout.services[5].tag);

    const from = account.calls.length;
    const { result } = await runPass({ desired, adapters: createAdapters(account.clients()), clock: account.clock });

    const described = account.calls.slice(from).filter((c) => c.operation === 'DescribeTaskDefinition').map((c) => c.input.taskDefinition as string);
    expect(described.filter((d) => d.includes(':task-definition/'))).toEqual([expect.stringMatching(/task-definition\/svc-0005:1$/)]);
    expect(result.outcomes.filter((o) => o.kind === 'UpdateService').map((o) => [o.resource, o.state])).toEqual([['Service/svc-0005', 'done']]);
  });

  it('writes the fingerprint of the rolled-out content beside the rollout tag', async () => {
    const { account, desired, layout } = buildEnvironment(10);
    await runPass({ desired, adapters: createAdapters(account.clients()), clock: account.clock });

    const tags = await account.clients().ecs.send(new ListTagsForResourceCommand({ resourceArn: account.ecs.serviceState(layout.cluster, 'svc-0002').arn }));

    expect(tags.tags?.find((t) => t.key === TAG_CONTENT)?.value).toMatch(/^[0-9a-f]{32}$/);
  });
});
