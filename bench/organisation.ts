/**
 * The organisation row: many environments in many accounts and Regions, reconciled the way steady
 * fans out on AWS (controller/lambda/dispatch.ts, worker.ts). One tick is the dispatcher loading the
 * commit and sending one SQS message per environment, then workers (each a Lambda container with its
 * own clients, caches and pacing; at most `concurrency` at once, as the SQS event source's
 * `maximumConcurrency`) reconciling one environment each through the role it names. Everything is
 * real but AWS: the dispatcher's and workers' code, the specs on s3rver, the state table and its
 * leases on dynalite, the work queue on the local SQS stand-in (controller/testing/sqs.ts); AWS is a
 * simulated organisation (controller/sim/organization.ts) whose every account and Region enforces
 * its own rate limits, on one simulated clock.
 *
 * Time is simulated time, as in the rest of the benchmark. The local servers answer in real time,
 * so the clock is held while one of their requests is in flight and the request then waits the same
 * simulated latency as an AWS call: they cost what a DynamoDB, S3 or SQS request costs, however busy
 * the machine is.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { DispatchSummary } from '../controller/lambda/dispatch.js';
import { createDispatcher } from '../controller/lambda/dispatch.js';
import { lambdaContext, startHandlerWorld } from '../controller/lambda/testkit.js';
import { METRIC_NAMESPACE, SERVICE_NAME } from '../controller/lambda/telemetry.js';
import { createWorker } from '../controller/lambda/worker.js';
import type { SimClock } from '../controller/sim/clock.js';
import { SimOrganization } from '../controller/sim/organization.js';
import { StateStore } from '../controller/state/store.js';
import { benchFixture, benchLayout, benchSpecFiles, type BenchLayout } from '../controller/testing/fleet.js';
import { pollQueue, startSqs, type SqsWorker } from '../controller/testing/sqs.js';
import { sampleMemory } from './instrument.js';
import { percentile } from './stats.js';

export interface OrganisationOptions {
  environments: number;
  /** Services per environment. */
  services: number;
  accounts: number;
  regions: number;
  /** Workers at once: the SQS event source's `maximumConcurrency` (the CDK context `workerConcurrency`, default 10). */
  concurrency: number;
  /** Simulated latency of every call (ms), AWS's and the local servers'. */
  latencyMs: number;
}

const HOME = '123456789012';
const REGIONS = ['ap-northeast-1', 'eu-west-1', 'us-east-1', 'us-west-2'];
/** Account ids: the controller's, then 110987654321, 210987654321, ... */
export const accountIds = (n: number) => Array.from({ length: n }, (_, i) => (i === 0 ? HOME : `${i}10987654321`));

/** Simulated milliseconds: median, 99th percentile, slowest. */
export interface Spread {
  p50: number;
  p99: number;
  max: number;
}

export interface OrganisationTick {
  tick: 'first' | 'steady';
  enqueued: number;
  invocations: number;
  /** Dispatch to the last environment's pass done, simulated. */
  simMs: number;
  /** Per environment: its worker's time (lease, load, pass, record). */
  passMs: Spread;
  /** Per environment: from the dispatch to its pass done (queueing included). */
  doneMs: Spread;
  verdicts: Record<string, number>;
  /** Requests the simulated accounts answered (throttled attempts included), and the throttled ones. */
  attempts: number;
  throttled: number;
  assumeRole: number;
  byAccount: { account: string; region: string; attempts: number; throttled: number }[];
  /** The process: every worker container, the simulated organisation and the local servers. */
  cpuMs: number;
  wallMs: number;
  rssPeakMB: number;
  rssBeforeMB: number;
}

export interface OrganisationResult extends OrganisationOptions {
  setupMs: number;
  ticks: OrganisationTick[];
  /** ERROR log lines the dispatcher and workers wrote (the first few kept). */
  errors: { count: number; first: string[] };
}

const MB = 1024 * 1024;
const round = (n: number) => Math.round(n * 10) / 10;
const spread = (values: number[]): Spread => ({ p50: percentile(values, 50), p99: percentile(values, 99), max: Math.max(...values) });

/** The environments: round-robin over the accounts, then the Regions; each its own fleet of `services`. */
export function organisationLayouts(o: OrganisationOptions): BenchLayout[] {
  if (o.accounts < 1 || o.accounts > 9 || o.regions < 1 || o.regions > REGIONS.length) throw new Error(`1 to 9 accounts and 1 to ${REGIONS.length} Regions, got ${o.accounts} and ${o.regions}`);
  const ids = accountIds(o.accounts);
  return Array.from({ length: o.environments }, (_, i) => {
    const accountId = ids[i % o.accounts];
    const region = REGIONS[Math.floor(i / o.accounts) % o.regions];
    const environment = `e${String(i).padStart(3, '0')}`;
    const role = accountId === HOME ? undefined : { roleArn: `arn:aws:iam::${accountId}:role/steady-target`, externalId: `steady-${accountId}` };
    return benchLayout(o.services, { environment, accountId, region, ...(role ? { role } : {}) });
  });
}

/** The organisation: every account and Region with its rate limits and latency, the target roles, each fleet's fixture. */
function buildOrganisation(o: OrganisationOptions, layouts: BenchLayout[]): SimOrganization {
  const org = new SimOrganization({ seed: 17 });
  for (const id of accountIds(o.accounts)) {
    if (id !== HOME) org.trustController(id, 'steady-target', { externalId: `steady-${id}` });
    for (const region of REGIONS.slice(0, o.regions)) org.account(id, region).enforceRateLimits();
  }
  for (const a of org.accounts()) a.faults.latency({ ms: o.latencyMs });
  for (const l of layouts) org.account(l.accountId, l.region).seed(benchFixture(l));
  return org;
}

/** Holds the clock while a request to a local server is in flight, then waits the simulated latency (see the file's comment). */
function onSimulatedTime<C extends { middlewareStack: { add: (...args: any[]) => void } }>(client: C, clock: SimClock, latencyMs: number): C {
  client.middlewareStack.add(
    (next: any) => async (args: any) => {
      const release = clock.hold();
      try {
        return await next(args);
      } finally {
        release();
        await clock.sleep(latencyMs);
      }
    },
    { step: 'initialize', name: 'benchSimulatedTime' },
  );
  return client;
}

/** An ERROR log line as kept: its environment and message (the JSON line itself runs to kilobytes). */
function firstErrorLine(line: string): string {
  try {
    const { message, environment } = JSON.parse(line) as { message?: string; environment?: string };
    return JSON.stringify({ environment, message: String(message ?? '').slice(0, 600) });
  } catch {
    return line.slice(0, 600);
  }
}

/** Swallows what the Lambda code writes (JSON logs, EMF) and counts its ERROR lines. */
function quiet(): { stop(): OrganisationResult['errors'] } {
  const errors: OrganisationResult['errors'] = { count: 0, first: [] };
  const originals = { stdout: process.stdout.write, stderr: process.stderr.write };
  const sink = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    for (const line of text.split('\n')) {
      if (!line.includes('"level":"ERROR"')) continue;
      errors.count++;
      if (errors.first.length < 5) errors.first.push(firstErrorLine(line));
    }
    (rest.find((r) => typeof r === 'function') as (() => void) | undefined)?.();
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = sink;
  process.stderr.write = sink;
  return {
    stop() {
      process.stdout.write = originals.stdout;
      process.stderr.write = originals.stderr;
      return errors;
    },
  };
}

/** The local servers, the published commit, the work queue, the dispatcher and the worker containers. */
async function startStack(o: OrganisationOptions, org: SimOrganization, layouts: BenchLayout[]) {
  // Never a real account: the default-configured clients (the state table's, the spec bucket's) get fake credentials and reach the local servers.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDBENCHBENCHBENCH0', AWS_SECRET_ACCESS_KEY: 'bench-secret-key', AWS_REGION: 'ap-northeast-1', AWS_EC2_METADATA_DISABLED: 'true' });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  const world = await startHandlerWorld();
  const sqsServer = await startSqs(org.clock);
  const sim = <C extends { middlewareStack: { add: (...args: any[]) => void } }>(c: C) => onSimulatedTime(c, org.clock, o.latencyMs);
  const sqs = () => sim(new SQSClient({ region: 'ap-northeast-1', endpoint: sqsServer.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
  const admin = sqs();
  const queueUrl = (await admin.send(new CreateQueueCommand({ QueueName: 'steady-work', Attributes: { VisibilityTimeout: '5400' } }))).QueueUrl!;
  const config = { ...(await world.config()), prefix: 'org/' };
  await world.publish(layouts.flatMap((l) => benchSpecFiles(l, { stepwise: true })), 'org');
  const dynamodb: DynamoDBClient = sim(world.dynamodb);
  const s3 = sim(new S3Client({}));
  const deps = () => ({
    config,
    clock: org.clock,
    clientsFor: (region: string, credentials?: () => Promise<AwsCredentialIdentity>) => org.clients({ region, ...(credentials ? { credentials } : {}) }),
    sts: org.stsClient(),
    dynamodb,
    s3,
    logger: new Logger({ serviceName: SERVICE_NAME }),
    metrics: new Metrics({ namespace: METRIC_NAMESPACE, serviceName: SERVICE_NAME }),
  });
  const dispatcher = createDispatcher({ ...deps(), dispatch: { queueUrl, fanOutAbove: 0, workerConcurrency: o.concurrency }, sqs: sqs() });
  const containers = Array.from({ length: o.concurrency }, () => createWorker(deps()));
  const store = new StateStore({ client: dynamodb, tableName: config.table, clock: org.clock });
  const close = async () => {
    await sqsServer.close();
    await world.close();
  };
  return { dispatcher, containers, admin, queueUrl, store, close };
}

type Stack = Awaited<ReturnType<typeof startStack>>;
/** The schedule's event (controller/lambda/testdata/eventbridge-scheduled.json), at the tick's simulated time. */
const scheduledEvent = (now: number) => ({
  version: '0',
  id: randomUUID(),
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: HOME,
  time: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  region: 'ap-northeast-1',
  resources: [`arn:aws:events:ap-northeast-1:${HOME}:rule/steady-every-minute`],
  detail: {},
});
const context = (): Context => lambdaContext({ remainingMs: 900_000, requestId: randomUUID() });

/** One tick: dispatch, then the event source drains the queue into the containers. */
async function tick(name: OrganisationTick['tick'], org: SimOrganization, stack: Stack, concurrency: number): Promise<OrganisationTick> {
  (globalThis as { gc?: () => void }).gc?.();
  const rssBefore = process.memoryUsage().rss;
  const logFrom = new Map(org.accounts().map((a) => [a, a.calls.length]));
  const stsFrom = org.stsCalls.length;
  const cpu = process.cpuUsage();
  const stopMemory = sampleMemory();
  const wallStart = performance.now();
  const dispatchedAt = org.clock.now();
  const summary = (await stack.dispatcher(scheduledEvent(dispatchedAt), context())) as DispatchSummary;
  if (summary.mode !== 'fanOut') throw new Error(`the dispatcher did not fan out: ${JSON.stringify(summary).slice(0, 300)}`);
  const idle = [...stack.containers];
  const done: { environment: string; start: number; end: number }[] = [];
  const worker: SqsWorker = async (event, ctx) => {
    const container = idle.pop()!;
    const start = org.clock.now();
    try {
      return await container(event, ctx);
    } finally {
      idle.push(container);
      done.push({ environment: JSON.parse(event.Records[0].body).environment, start, end: org.clock.now() });
    }
  };
  const drained = await pollQueue({ sqs: stack.admin, queueUrl: stack.queueUrl, queueArn: `arn:aws:sqs:ap-northeast-1:${HOME}:steady-work`, worker, context, maximumConcurrency: concurrency });
  const wallMs = performance.now() - wallStart;
  const used = process.cpuUsage(cpu);
  const peak = stopMemory();
  const byAccount = org.accounts().map((a) => {
    const log = a.calls.slice(logFrom.get(a) ?? 0);
    return { account: a.accountId, region: a.region, attempts: log.length, throttled: log.filter((c) => /Throttl/.test(c.error ?? '')).length };
  });
  const verdicts: Record<string, number> = {};
  for (const e of await stack.store.listEnvironments()) verdicts[e.lastVerdict ?? 'none'] = (verdicts[e.lastVerdict ?? 'none'] ?? 0) + 1;
  return {
    tick: name,
    enqueued: summary.enqueued.length,
    invocations: drained.invocations,
    simMs: Math.max(...done.map((d) => d.end)) - dispatchedAt,
    passMs: spread(done.map((d) => d.end - d.start)),
    doneMs: spread(done.map((d) => d.end - dispatchedAt)),
    verdicts,
    attempts: byAccount.reduce((n, a) => n + a.attempts, 0),
    throttled: byAccount.reduce((n, a) => n + a.throttled, 0),
    assumeRole: org.stsCalls.slice(stsFrom).filter((c) => c.operation === 'AssumeRole').length,
    byAccount,
    cpuMs: Math.round((used.user + used.system) / 1000),
    wallMs: Math.round(wallMs),
    rssPeakMB: round(peak.rss / MB),
    rssBeforeMB: round(rssBefore / MB),
  };
}

/** Rollouts finish and DNS changes reach INSYNC between the ticks. */
const SETTLE_MS = 15 * 60_000;

/**
 * Runs the organisation: a first tick that creates every environment, 15 simulated minutes, and a
 * tick with nothing to change, in which every environment should converge (the report says which
 * did not, and why: the first ERROR lines).
 *
 * @example
 * const result = await runOrganisation({ environments: 200, services: 20, accounts: 3, regions: 2, concurrency: 10, latencyMs: 40 });
 */
export async function runOrganisation(o: OrganisationOptions): Promise<OrganisationResult> {
  const setupStart = performance.now();
  const layouts = organisationLayouts(o);
  const org = buildOrganisation(o, layouts);
  const stack = await startStack(o, org, layouts);
  const setupMs = Math.round(performance.now() - setupStart);
  const silence = quiet();
  const ticks: OrganisationTick[] = [];
  let errors: OrganisationResult['errors'];
  try {
    ticks.push(await tick('first', org, stack, o.concurrency));
    org.clock.advance(SETTLE_MS);
    ticks.push(await tick('steady', org, stack, o.concurrency));
  } finally {
    errors = silence.stop();
    await stack.close();
  }
  return { environments: o.environments, services: o.services, accounts: o.accounts, regions: o.regions, concurrency: o.concurrency, latencyMs: o.latencyMs, setupMs, ticks, errors };
}
