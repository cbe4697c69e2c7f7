import { ACMClient } from '@aws-sdk/client-acm';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, RetryStrategyV2 } from '@smithy/types';
import { systemClock, type Clock } from '../clock.js';
import { LazyClient } from './lazy-client.js';
import { pace, pacerOf, STEADY_RATE_SHARE } from './pace.js';

/** The SDK clients steady's adapters use, one per AWS service. */
export interface AwsClients {
  ecs: ECSClient;
  elbv2: ElasticLoadBalancingV2Client;
  route53: Route53Client;
  ecr: ECRClient;
  /** Made when first used (`aws/lazy-client.ts`): most passes never call CloudFront, and its client is big. */
  cloudfront: LazyClient<CloudFrontClient>;
  /** Made when first used, as CloudFront's: only blue/green services call CodeDeploy. */
  codedeploy: LazyClient<CodeDeployClient>;
  acm: ACMClient;
  /** EventBridge Scheduler, for ScheduledTasks. */
  scheduler: SchedulerClient;
}

/** What may differ from the SDK's defaults. Production passes only `region`. */
export interface AwsClientOptions {
  region: string;
  /**
   * The simulated account's fixed credentials, or an environment's assumed role (`aws/accounts.ts`);
   * the SDK's default chain otherwise.
   */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Only for the simulated account: a retry strategy that waits on its clock (one per client when a function). */
  retryStrategy?: RetryStrategyV2 | (() => RetryStrategyV2);
  /** The clock steady's pacing waits on (`aws/pace.ts`). Default: the system clock. */
  clock?: Clock;
  /** The share of each AWS rate-limit bucket steady uses. Default `STEADY_RATE_SHARE`. */
  rateShare?: number;
}

/**
 * Builds the clients with the SDK's default configuration: credentials from the default provider
 * chain, endpoints from the standard resolution (so `AWS_ENDPOINT_URL` and
 * `AWS_ENDPOINT_URL_<SERVICE>` point steady at LocalStack or moto exactly as they point the AWS
 * CLI), and the adaptive retry mode, which backs off on throttling across all calls of a client.
 * Each client paces its calls to a share of AWS's rate limits (`aws/pace.ts`).
 *
 * @example
 * const clients = createAwsClients({ region: 'ap-northeast-1' });
 */
export function createAwsClients(options: AwsClientOptions): AwsClients {
  const config = () => ({
    region: options.region,
    retryMode: 'adaptive',
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.retryStrategy ? { retryStrategy: typeof options.retryStrategy === 'function' ? options.retryStrategy() : options.retryStrategy } : {}),
  });
  const clients: AwsClients = {
    ecs: new ECSClient(config()),
    elbv2: new ElasticLoadBalancingV2Client(config()),
    // Route 53 is global; its API is signed for us-east-1 whatever the environment's region.
    route53: new Route53Client({ ...config(), region: 'us-east-1' }),
    ecr: new ECRClient(config()),
    // CloudFront is global as well. Its package is imported when it is first called, not at a cold start.
    cloudfront: new LazyClient('cloudfront', async () => new (await import('@aws-sdk/client-cloudfront')).CloudFrontClient({ ...config(), region: 'us-east-1' })),
    codedeploy: new LazyClient('codedeploy', async () => new (await import('@aws-sdk/client-codedeploy')).CodeDeployClient(config())),
    acm: new ACMClient(config()),
    scheduler: new SchedulerClient(config()),
  };
  for (const [service, client] of Object.entries(clients)) pace(client, service, options.clock ?? systemClock, options.rateShare ?? STEADY_RATE_SHARE);
  return clients;
}

/**
 * The share of each AWS rate-limit bucket a set of clients paces at: `regional` for the buckets AWS
 * keeps per account and Region (ECS, ELB, ECR, CodeDeploy, ACM, Scheduler), `global` for those it
 * keeps per account (Route 53, CloudFront), which every Region's clients of the account spend from.
 */
export interface RateShares {
  regional: number;
  global: number;
}

/** The clients whose AWS buckets are per account, not per account and Region. */
export const GLOBAL_CLIENTS: readonly (keyof AwsClients)[] = ['route53', 'cloudfront'];

/**
 * Paces `clients` at `shares` from now on (`Pacer.setShare`); clients that are not paced are left alone.
 *
 * @example
 * setRateShares(clients, { regional: 0.05, global: 0.05 }); // one of 10 workers in the account and Region
 */
export function setRateShares(clients: AwsClients, shares: RateShares): void {
  for (const [service, client] of Object.entries(clients) as [keyof AwsClients, object][]) {
    pacerOf(client)?.setShare(GLOBAL_CLIENTS.includes(service) ? shares.global : shares.regional);
  }
}

/** steady's short name of each AWS service, by SDK client class (`ECSClient` -> `ecs`); see `serviceOfClient`. */
export const SERVICE_OF_CLIENT: Record<string, keyof AwsClients> = {
  ECSClient: 'ecs',
  ElasticLoadBalancingV2Client: 'elbv2',
  Route53Client: 'route53',
  ECRClient: 'ecr',
  CloudFrontClient: 'cloudfront',
  CodeDeployClient: 'codedeploy',
  ACMClient: 'acm',
  SchedulerClient: 'scheduler',
};

/** steady's short name of a client's service (`ecs`), a lazily made client's too; undefined for a client steady does not use. */
export function serviceOfClient(client: object): keyof AwsClients | undefined {
  // By name, not instanceof: a bundled artefact's clients are of its own copy of the class (the bundle's tests attach the simulated account to them).
  if (client.constructor.name === LazyClient.name) return (client as LazyClient<never>).service as keyof AwsClients;
  return SERVICE_OF_CLIENT[client.constructor.name];
}

/**
 * Counts the API calls made through `clients`, by `service:Operation` (one per command, however
 * many attempts its retries took). Counting starts at zero each time `reset()` is called; a pass
 * resets it at its start and records the counts in its result.
 */
export function countCalls(clients: AwsClients): { counts: () => Record<string, number>; reset: () => void } {
  let counts: Record<string, number> = {};
  for (const client of Object.values(clients)) {
    const service = serviceOfClient(client) ?? client.constructor.name;
    client.middlewareStack.add(
      (next: any, context: any) => async (args: any) => {
        const key = `${service}:${String(context.commandName).replace(/Command$/, '')}`;
        counts[key] = (counts[key] ?? 0) + 1;
        return next(args);
      },
      { step: 'initialize', name: 'steadyCallCounter', override: true },
    );
  }
  return {
    counts: () => ({ ...counts }),
    reset: () => {
      counts = {};
    },
  };
}
