import { DescribeTasksCommand, RegisterTaskDefinitionCommand, type ECSClient, type RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SimAccount } from '../sim/account.js';
import type { EcsFixture } from '../sim/ecs.js';
import type { Elbv2Fixture } from '../sim/elbv2.js';

/** The registry of the test account (123456789012, ap-northeast-1). */
export const REGISTRY = '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com';

/** An awsvpc network configuration for CreateService / RunTask. */
export const NETWORK = {
  awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'], securityGroups: ['sg-0123456789abcdef0'], assignPublicIp: 'DISABLED' as const },
};

/**
 * The load balancing every ECS world has: `api-tg` (ip targets) behind ALB `api-alb` on port 80,
 * `instance-tg` (instance targets) behind the same ALB on port 8080, and `orphan-tg`, which no
 * load balancer forwards to.
 */
export const ECS_WORLD_ELBV2: Elbv2Fixture = {
  targetGroups: [
    { name: 'api-tg', port: 8000, healthCheckPath: '/health' },
    { name: 'instance-tg', port: 8000, targetType: 'instance' },
    { name: 'orphan-tg', port: 8000 },
  ],
  loadBalancers: [
    {
      name: 'api-alb',
      listeners: [
        { port: 80, forward: 'api-tg' },
        { port: 8080, forward: 'instance-tg' },
      ],
    },
  ],
};

/**
 * Test-only: a simulated account with cluster `prod`, ECR repositories `shop-api` (tags v1, v2)
 * and `worker` (latest), the target groups and load balancer of `ECS_WORLD_ELBV2` in the
 * simulated ELBv2, plus `ecs` fixture additions. Returns SDK clients attached to it.
 */
export function ecsWorld(ecs: EcsFixture = {}, options: { seed?: number } = {}) {
  const account = new SimAccount({ seed: options.seed ?? 11 });
  account.seed({
    ecr: { repositories: { 'shop-api': [{ tags: ['v1'] }, { tags: ['v2'] }], worker: [{ tags: ['latest'] }] } },
    elbv2: ECS_WORLD_ELBV2,
    ecs: { ...ecs, clusters: ['prod', ...(ecs.clusters ?? [])] },
  });
  const clients = account.clients();
  const tgArn = (name: string): string => {
    const arn = account.elbv2.targetGroupArnOf(name);
    if (!arn) throw new Error(`the ECS world has no target group ${name}`);
    return arn;
  };
  return {
    account,
    clients,
    ecs: clients.ecs,
    /** The ARN of one of the world's target groups, by name. */
    tgArn,
    /**
     * A target group's targets as DescribeTargetHealth lists them, grouped by health state
     * (`initial`, `healthy`, `draining`, ...), each group the sorted `ip:port` of its targets.
     */
    targetsByState: async (name: string): Promise<Record<string, string[]>> => {
      const out = await clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn(name) }));
      const byState: Record<string, string[]> = {};
      for (const d of out.TargetHealthDescriptions ?? []) (byState[d.TargetHealth!.State!] ??= []).push(`${d.Target!.Id}:${d.Target!.Port}`);
      for (const list of Object.values(byState)) list.sort();
      return byState;
    },
    /** The targets ECS registers for tasks (`<private ip>:<port>`), sorted. */
    targetsOf: async (taskArns: string[], port = 8000): Promise<string[]> => {
      const out = await clients.ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: taskArns }));
      return (out.tasks ?? []).map((t) => `${privateIp(t)}:${port}`).sort();
    },
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

function privateIp(task: { taskArn?: string; attachments?: { details?: { name?: string; value?: string }[] }[] }): string {
  const ip = task.attachments?.flatMap((a) => a.details ?? []).find((d) => d.name === 'privateIPv4Address')?.value;
  if (!ip) throw new Error(`task ${task.taskArn} has no private IP`);
  return ip;
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
