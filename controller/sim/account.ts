import { ACMServiceException } from '@aws-sdk/client-acm';
import { CloudFrontServiceException } from '@aws-sdk/client-cloudfront';
import { CodeDeployServiceException } from '@aws-sdk/client-codedeploy';
import { ECRServiceException } from '@aws-sdk/client-ecr';
import { ECSServiceException } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2ServiceException } from '@aws-sdk/client-elastic-load-balancing-v2';
import { Route53ServiceException } from '@aws-sdk/client-route-53';
import { SchedulerServiceException } from '@aws-sdk/client-scheduler';
import type { Client } from '@smithy/core/client';
import { createAwsClients, serviceOfClient, type AwsClients } from '../aws/clients.js';
import { SimClock } from './clock.js';
import { unmodelledError, requestId } from './errors.js';
import { Faults, type FaultError } from './faults.js';
import { awsRateLimits, bucketMatches, type RateBucket } from './limits.js';
import { ClockRetryStrategy } from './retry.js';
import { AcmSim } from './acm.js';
import { CloudFrontSim } from './cloudfront.js';
import { CodeDeploySim } from './codedeploy.js';
import { EcrSim } from './ecr.js';
import { EcsSim } from './ecs.js';
import { Elbv2Sim } from './elbv2.js';
import { Route53Sim } from './route53.js';
import { SchedulerSim } from './scheduler.js';
import type { SimFixture } from './fixture.js';

export type SimServiceName = keyof AwsClients;

/** One simulated AWS service: its operations, named as in the API reference. */
export interface SimService {
  readonly operations: Record<string, (input: any) => unknown>;
}

/** One call the simulated account answered (or refused), in order. */
export interface SimCall {
  seq: number;
  service: SimServiceName;
  operation: string;
  input: any;
  /** Simulated time of the call (ms since the epoch). */
  at: number;
  /** The AWS error name when the call failed. */
  error?: string;
}

export interface SimAccountOptions {
  accountId?: string;
  region?: string;
  /** Seed of the account's random numbers (ids, DNS digits): same seed, same ids. */
  seed?: number;
  /** Start of the simulated clock. */
  start?: number | Date;
  /** Enforce AWS's request-rate limits from the start (`enforceRateLimits`). Default off. */
  rateLimits?: boolean;
  /** A clock shared with other accounts (a simulated organisation); `start` is then ignored. */
  clock?: SimClock;
  /** The account's global services (Route 53, CloudFront), shared by its regions in an organisation. */
  global?: Pick<SimAccount, 'route53' | 'cloudfront'>;
}


export const BASE_EXCEPTION: Record<SimServiceName, new (opts: any) => any> = {
  ecs: ECSServiceException,
  elbv2: ElasticLoadBalancingV2ServiceException,
  route53: Route53ServiceException,
  ecr: ECRServiceException,
  cloudfront: CloudFrontServiceException,
  codedeploy: CodeDeployServiceException,
  acm: ACMServiceException,
  scheduler: SchedulerServiceException,
};

// awsJson services and query/rest-xml services spell the same errors differently.
export const JSON_PROTOCOL = new Set<SimServiceName>(['ecs', 'ecr', 'codedeploy', 'acm', 'scheduler']);

/** True for operations that change state (anything but Describe*, List*, Get*, BatchGet*). */
export function isMutating(operation: string): boolean {
  return !/^(Describe|List|Get|BatchGet)/.test(operation);
}

/**
 * A simulated AWS account: a stateful, in-memory ECS, Elastic Load Balancing v2, Route 53, ECR,
 * CloudFront, CodeDeploy and EventBridge Scheduler that answers the real AWS SDK v3 clients. It hooks into a client's
 * middleware stack at the deserialize step, so the SDK still builds and signs each request and
 * its retry strategy still handles the throttling the account injects; only the HTTP exchange is
 * replaced. Tests, the demo and the benchmarks all run steady's production adapters on it.
 *
 * @example
 * const account = new SimAccount({ region: 'ap-northeast-1' });
 * const clients = account.clients();
 * await clients.ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
 */
export class SimAccount {
  readonly accountId: string;
  readonly region: string;
  readonly clock: SimClock;
  readonly faults: Faults;
  /** Every call, in order. Tests and benchmarks count and inspect it. */
  readonly calls: SimCall[] = [];
  readonly ecs: EcsSim;
  readonly elbv2: Elbv2Sim;
  readonly route53: Route53Sim;
  readonly ecr: EcrSim;
  readonly cloudfront: CloudFrontSim;
  readonly codedeploy: CodeDeploySim;
  readonly acm: AcmSim;
  readonly scheduler: SchedulerSim;
  #rng: number;
  #seq = 0;

  constructor(options: SimAccountOptions = {}) {
    this.accountId = options.accountId ?? '123456789012';
    this.region = options.region ?? 'ap-northeast-1';
    this.clock = options.clock ?? new SimClock(options.start);
    this.faults = new Faults(() => this.clock.now());
    this.#rng = options.seed ?? 1;
    this.ecs = new EcsSim(this);
    this.elbv2 = new Elbv2Sim(this);
    this.route53 = options.global?.route53 ?? new Route53Sim(this);
    this.ecr = new EcrSim(this);
    this.cloudfront = options.global?.cloudfront ?? new CloudFrontSim(this);
    this.codedeploy = new CodeDeploySim(this);
    this.acm = new AcmSim(this);
    this.scheduler = new SchedulerSim(this);
    if (options.rateLimits) this.enforceRateLimits();
  }

  /**
   * Throttles calls above AWS's request-rate limits (`awsRateLimits` in limits.ts: token buckets on
   * the simulated clock, per service or operation, with the values SIMPLIFICATIONS.md lists), or
   * only those of the services named. Off by default: most tests make a handful of calls.
   */
  enforceRateLimits(services?: SimServiceName[]): RateBucket[] {
    const buckets = awsRateLimits(this.region).filter((b) => !services || services.includes(b.service));
    for (const b of buckets) {
      this.faults.rateLimit({ service: b.service, name: b.name, burst: b.burst, perSecond: b.perSecond, operations: (op) => bucketMatches(b, op) });
    }
    return buckets;
  }

  /** A deterministic pseudo-random number in [0, 1) (mulberry32). */
  random(): number {
    let t = (this.#rng = (this.#rng + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** `n` random lower-case hex digits. */
  hex(n: number): string {
    let s = '';
    while (s.length < n) s += Math.floor(this.random() * 16).toString(16);
    return s;
  }

  /** `n` random decimal digits, the first not zero. */
  digits(n: number): string {
    let s = String(1 + Math.floor(this.random() * 9));
    while (s.length < n) s += Math.floor(this.random() * 10).toString();
    return s;
  }

  /** False while a resource created at `createdAt` is still hidden by an injected stale read. */
  visible(service: SimServiceName, createdAt: number): boolean {
    return this.clock.now() >= createdAt + this.faults.staleFor(service);
  }

  /** Seeds the account's starting state from a fixture (see fixture.ts). */
  seed(fixture: SimFixture): this {
    if (fixture.ecr) this.ecr.seed(fixture.ecr);
    if (fixture.elbv2) this.elbv2.seed(fixture.elbv2);
    if (fixture.cloudfront) this.cloudfront.seed(fixture.cloudfront);
    if (fixture.route53) this.route53.seed(fixture.route53);
    if (fixture.ecs) this.ecs.seed(fixture.ecs);
    if (fixture.codedeploy) this.codedeploy.seed(fixture.codedeploy);
    return this;
  }

  /** Routes an SDK client's calls to this account instead of the network. */
  attach<C extends Client<any, any, any, any>>(client: C): C {
    const service = serviceOfClient(client);
    if (!service) throw new Error(`the simulated account does not simulate ${client.constructor.name}`);
    client.middlewareStack.add(
      (_next, context) => async (args: any) => {
        const operation = String(context.commandName).replace(/Command$/, '');
        const output = await this.handle(service, operation, args.input);
        return { output: { ...(output as object), $metadata: { httpStatusCode: 200, requestId: requestId() } }, response: {} };
      },
      { step: 'deserialize', priority: 'high', name: 'steadySimulatedAccount', override: true },
    );
    return client;
  }

  /**
   * A full set of clients attached to this account, as production makes them (steady's own pacing
   * included), on the account's clock: retries back off as the SDK's standard strategy does
   * (`ClockRetryStrategy`) and pacing waits, both in simulated time, so neither costs real time.
   * `rateShare`: the share of AWS's buckets steady paces at (a test's tighter limit).
   */
  clients(options: { rateShare?: number } = {}): AwsClients {
    const clients = createAwsClients({
      region: this.region,
      credentials: { accessKeyId: 'ASIASIMULATED', secretAccessKey: 'simulated' },
      retryStrategy: () => new ClockRetryStrategy(this.clock),
      clock: this.clock,
      ...(options.rateShare !== undefined ? { rateShare: options.rateShare } : {}),
    });
    for (const client of Object.values(clients)) this.attach(client);
    return clients;
  }

  /** Calls that changed (or tried to change) state. */
  mutatingCalls(): SimCall[] {
    return this.calls.filter((c) => isMutating(c.operation));
  }

  /**
   * Number of calls per `service:Operation`, e.g. `{ 'ecs:DescribeServices': 3 }`; with `since`
   * (a length of `calls` taken earlier), only the calls made after that point.
   */
  callCounts(since = 0): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const c of this.calls.slice(since)) counts[`${c.service}:${c.operation}`] = (counts[`${c.service}:${c.operation}`] ?? 0) + 1;
    return counts;
  }

  /** Answers one call: faults first, then the service's handler; every call is logged. */
  async handle(service: SimServiceName, operation: string, input: any): Promise<unknown> {
    const call: SimCall = { seq: ++this.#seq, service, operation, input: structuredClone(input ?? {}), at: this.clock.now() };
    this.calls.push(call);
    try {
      // The rate limits judge a call when it arrives; the answer, an error too, takes the latency.
      const fault = this.faults.failureFor(service, operation, input);
      const latency = this.faults.latencyFor(service, operation, input);
      if (latency > 0) await this.clock.sleep(latency);
      if (fault) throw this.#faultError(service, fault);
      const handler = (this[service] as SimService).operations[operation];
      if (!handler) {
        throw unmodelledError(BASE_EXCEPTION[service], 'UnknownOperationException', `The simulated account does not implement ${service}:${operation}.`);
      }
      return await handler.call(this[service], input ?? {});
    } catch (err) {
      call.error = (err as Error).name;
      throw err;
    }
  }

  #faultError(service: SimServiceName, fault: FaultError): Error {
    if (typeof fault === 'function') return fault();
    const json = JSON_PROTOCOL.has(service);
    const Base = BASE_EXCEPTION[service];
    switch (fault) {
      case 'throttle':
        return unmodelledError(Base, json ? 'ThrottlingException' : 'Throttling', 'Rate exceeded');
      case 'accessDenied':
        return unmodelledError(
          Base,
          json ? 'AccessDeniedException' : 'AccessDenied',
          `User: arn:aws:sts::${this.accountId}:assumed-role/steady/controller is not authorized to perform this action`,
          403,
        );
      case 'internal':
        // Scheduler models its internal error as InternalServerException; ECS and the other JSON services use ServerException.
        return unmodelledError(Base, service === 'scheduler' ? 'InternalServerException' : json ? 'ServerException' : 'InternalFailure', 'We encountered an internal error. Please try again.', 500);
    }
  }
}
