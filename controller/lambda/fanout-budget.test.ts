/**
 * Fan-out within steady's share of AWS's rate limits: many environments in one account and Region,
 * reconciled by workers that each have their own clients (hence their own pacing), as Lambda
 * containers do. The dispatcher divides steady's share of each bucket by the workers that can be
 * in the account and Region at once and puts it in each message (rate-share.ts); the simulated
 * account enforces AWS's rate limits and logs every attempt, throttled ones too. The local DynamoDB,
 * S3 and SQS servers hold the simulated clock while a request is in flight, so real I/O takes no
 * simulated time and the workers' calls meet at AWS as concurrent calls do.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { STEADY_RATE_SHARE } from '../aws/pace.js';
import type { SimClock } from '../sim/clock.js';
import { SimOrganization } from '../sim/organization.js';
import { StateStore } from '../state/store.js';
import { benchFixture, benchLayout, benchSpecFiles } from '../testing/fleet.js';
import { pollQueue, startSqs, type SqsWorker } from '../testing/sqs.js';
import { createDispatcher, type DispatchSummary } from './dispatch.js';
import { eventJson, lambdaContext, useHandlerWorld } from './testkit.js';
import { createWorker } from './worker.js';

const HOME = '123456789012';
const REGION = 'ap-northeast-1';
const WORKERS = 10;
const ENVIRONMENTS = 12;

const h = useHandlerWorld();

/** Keeps the simulated clock still while a request to a local server is in flight. */
function onSimulatedTime<C extends { middlewareStack: { add: (...args: any[]) => void } }>(client: C, clock: SimClock): C {
  client.middlewareStack.add(
    (next: any) => async (args: any) => {
      const release = clock.hold();
      try {
        return await next(args);
      } finally {
        release();
      }
    },
    { step: 'initialize', name: 'testSimulatedTime' },
  );
  return client;
}

/**
 * One tick over `ENVIRONMENTS` environments of 5 services each, all in one account and Region, with
 * `WORKERS` worker containers at once; the dispatcher is told `toldConcurrency` workers.
 */
async function tick(toldConcurrency: number) {
  const layouts = Array.from({ length: ENVIRONMENTS }, (_, i) => benchLayout(5, { environment: `b${String(i).padStart(2, '0')}`, accountId: HOME, region: REGION }));
  const org = new SimOrganization({ seed: 17 });
  const account = org.account(HOME, REGION);
  account.enforceRateLimits();
  for (const l of layouts) account.seed(benchFixture(l));
  const sqsServer = await startSqs(org.clock);
  const sqs = () => onSimulatedTime(new SQSClient({ region: REGION, endpoint: sqsServer.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }), org.clock);
  const admin = sqs();
  try {
    const queueUrl = (await admin.send(new CreateQueueCommand({ QueueName: 'steady-work', Attributes: { VisibilityTimeout: '5400' } }))).QueueUrl!;
    const config = { ...(await h.world.config()), prefix: 'budget/' };
    await h.world.publish(layouts.flatMap((l) => benchSpecFiles(l)), 'budget');
    const dynamodb = onSimulatedTime(new DynamoDBClient({ endpoint: h.world.dynamoEndpoint, region: REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }), org.clock);
    const deps = () => ({
      config,
      clock: org.clock,
      clientsFor: (region: string) => org.clients({ region }),
      dynamodb,
      s3: onSimulatedTime(new S3Client({}), org.clock),
      pollMs: 5_000,
    });
    const dispatcher = createDispatcher({ ...deps(), dispatch: { queueUrl, fanOutAbove: 0, workerConcurrency: toldConcurrency }, sqs: sqs() });
    // One container per worker that can run at once, each with its own clients and pacing, as Lambda's.
    const idle = Array.from({ length: WORKERS }, () => createWorker({ ...deps(), workerConcurrency: WORKERS }));
    let most = 0;
    const worker: SqsWorker = async (event, context) => {
      const container = idle.pop()!;
      most = Math.max(most, WORKERS - idle.length);
      try {
        return await container(event, context);
      } finally {
        idle.push(container);
      }
    };
    const context = () => lambdaContext({ remainingMs: 900_000, requestId: randomUUID() });
    const sent = (await dispatcher(eventJson('eventbridge-scheduled'), context())) as DispatchSummary;
    const shares = sqsServer.queue('steady-work')!.messages.map((m) => JSON.parse(m.body).rateShare);
    await pollQueue({ sqs: admin, queueUrl, queueArn: `arn:aws:sqs:${REGION}:${HOME}:steady-work`, worker, context, maximumConcurrency: WORKERS });
    const store = new StateStore({ client: dynamodb, tableName: config.table, clock: org.clock });
    const verdicts = (await store.listEnvironments()).map((e) => e.lastVerdict);
    const throttled = account.calls.filter((c) => /Throttl/.test(c.error ?? ''));
    return { sent, shares, most, verdicts, calls: account.calls, throttled };
  } finally {
    await sqsServer.close();
  }
}

describe('fan-out within steady’s share of each account’s rate limits', () => {
  it(
    'twelve environments in one account and Region, ten workers at once: each paces at a tenth of the share, and AWS throttles none of their requests',
    async () => {
      const t = await tick(WORKERS);

      expect(t.sent.enqueued).toHaveLength(ENVIRONMENTS);
      expect(t.shares).toEqual(Array(ENVIRONMENTS).fill({ regional: STEADY_RATE_SHARE / WORKERS, global: STEADY_RATE_SHARE / WORKERS }));
      expect(t.most).toBe(WORKERS);
      expect(t.verdicts).toHaveLength(ENVIRONMENTS);
      expect(t.verdicts.filter((v) => v !== 'converging' && v !== 'converged')).toEqual([]);
      // Each environment read its ALB's chain and created its services: ELB reads and ECS writes from ten workers at once.
      expect(t.calls.filter((c) => c.operation === 'CreateService')).toHaveLength(ENVIRONMENTS * 5);
      expect(t.calls.filter((c) => c.service === 'elbv2' && /^Describe/.test(c.operation)).length).toBeGreaterThan(40);
      expect(t.throttled.map((c) => `${c.service}:${c.operation}`)).toEqual([]);
      const paced = h.output.logs().filter((l) => /^work message: .*pacing at 5% of each AWS rate limit of its account and Region$/.test(String(l.message)));
      expect(paced).toHaveLength(ENVIRONMENTS);
    },
    240_000,
  );

  it(
    'the same tick with each worker at the whole share (a dispatcher told of one worker) is throttled: the check above can fail',
    async () => {
      const t = await tick(1);

      expect(t.shares).toEqual(Array(ENVIRONMENTS).fill({ regional: STEADY_RATE_SHARE, global: STEADY_RATE_SHARE }));
      expect(t.most).toBe(WORKERS);
      expect(t.throttled.length).toBeGreaterThan(0);
    },
    240_000,
  );
});
