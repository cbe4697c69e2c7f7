import { RegisterTaskDefinitionCommand, type ECSClient, type RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { SimAccount } from '../sim/account.js';
import type { EcsFixture } from '../sim/ecs.js';
import { stubTargetGroups } from './elbv2-stub.js';

/** The registry of the test account (123456789012, ap-northeast-1). */
export const REGISTRY = '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com';

/** An awsvpc network configuration for CreateService / RunTask. */
export const NETWORK = {
  awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'], securityGroups: ['sg-0123456789abcdef0'], assignPublicIp: 'DISABLED' as const },
};

/**
 * Test-only: a simulated account with cluster `prod`, ECR repositories `shop-api` (tags v1, v2)
 * and `worker` (latest), stubbed target groups `api-tg` (ip, attached), `orphan-tg` (no load
 * balancer) and `instance-tg` (instance targets), plus `ecs` fixture additions. Returns SDK
 * clients attached to it.
 */
export function ecsWorld(ecs: EcsFixture = {}, options: { seed?: number } = {}) {
  const account = new SimAccount({ seed: options.seed ?? 11 });
  const tg = stubTargetGroups(account, [{ name: 'api-tg' }, { name: 'orphan-tg', attached: false }, { name: 'instance-tg', targetType: 'instance' }]);
  account.seed({
    ecr: { repositories: { 'shop-api': [{ tags: ['v1'] }, { tags: ['v2'] }], worker: [{ tags: ['latest'] }] } },
    ecs: { ...ecs, clusters: ['prod', ...(ecs.clusters ?? [])] },
  });
  const clients = account.clients();
  return {
    account,
    clients,
    ecs: clients.ecs,
    tg,
    /** Moves simulated time forward, firing every state change on the way. */
    advance: (ms: number) => account.clock.advance(ms),
    /** Advances one simulated second at a time until `done()` holds; fails after `maxMs`. */
    advanceUntil: (done: () => boolean, maxMs = 600_000) => {
      for (let waited = 0; !done(); waited += 1_000) {
        if (waited >= maxMs) throw new Error(`condition not reached within ${maxMs} ms of simulated time`);
        account.clock.advance(1_000);
      }
    },
  };
}

/** Registers a Fargate task definition with one container `app` on port 8000; returns its ARN. */
export async function registerApp(
  ecs: ECSClient,
  options: { family?: string; image?: string; extra?: Partial<RegisterTaskDefinitionCommandInput> } = {},
): Promise<string> {
  const out = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: options.family ?? 'shop-api',
      cpu: '256',
      memory: '512',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      containerDefinitions: [{ name: 'app', image: options.image ?? `${REGISTRY}/shop-api:v1`, portMappings: [{ containerPort: 8000 }] }],
      ...options.extra,
    }),
  );
  return out.taskDefinition!.taskDefinitionArn!;
}
