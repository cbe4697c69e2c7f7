/**
 * Fan-out, end to end: the dispatcher sends one message per environment through a local SQS
 * stand-in that speaks the SQS JSON protocol (the dispatcher's real @aws-sdk/client-sqs talks to
 * it), and `pollQueue` plays Lambda's SQS event source mapping (batches of one, at most
 * `maximumConcurrency` workers, `batchItemFailures`, redrive to the dead-letter queue). The workers
 * run the real handler against a simulated organisation (3 accounts, 2 regions, STS roles), the
 * state table on dynalite (the real lease) and the specs on s3rver.
 */
import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import type { AwsClients } from '../aws/clients.js';
import type { SpecFile } from '../spec/load.js';
import { SimOrganization } from '../sim/organization.js';
import { StateStore } from '../state/store.js';
import { useEndpoint } from '../testing/servers.js';
import { pollQueue, startSqs } from '../testing/sqs.js';
import type { HandlerConfig } from './config.js';
import { createDispatcher, type DispatchSummary } from './dispatch.js';
import { eventJson, lambdaContext, useHandlerWorld } from './testkit.js';
import { createWorker } from './worker.js';

const HOME = '123456789012';
const ACCOUNTS = [HOME, '210987654321', '310987654321'];
const REGIONS = ['ap-northeast-1', 'eu-west-1'];

const h = useHandlerWorld();

interface EnvPlan {
  name: string;
  account: string;
  region: string;
}

/**
 * `count` environments spread over the accounts and regions, each one Service on Fargate; one spec
 * file per account and region (a commit of 6 files, not 200: every cold worker loads the commit).
 */
function organisationSpecs(count: number): { envs: EnvPlan[]; files: SpecFile[] } {
  const envs: EnvPlan[] = Array.from({ length: count }, (_, i) => ({
    name: `env-${String(i).padStart(3, '0')}`,
    account: ACCOUNTS[i % ACCOUNTS.length],
    region: REGIONS[Math.floor(i / ACCOUNTS.length) % REGIONS.length],
  }));
  const docs = (e: EnvPlan) => {
    const role = e.account === HOME ? '' : `\n  account: "${e.account}"\n  roleArn: arn:aws:iam::${e.account}:role/steady-target\n  externalId: steady-${e.account}`;
    return `apiVersion: steady.dev/v1alpha1
kind: Environment
metadata: { name: ${e.name} }
spec:
  region: ${e.region}
  cluster: ${e.name}${role}
---
apiVersion: steady.dev/v1alpha1
kind: Service
metadata: { name: api, environment: ${e.name} }
spec:
  desiredCount: 1
  network: { subnets: [subnet-0a1b2c3d4e5f60718] }
  taskDefinition:
    family: ${e.name}-api
    cpu: 256
    memory: 512
    containers:
      - name: app
        image: ${e.account}.dkr.ecr.${e.region}.amazonaws.com/app:latest
`;
  };
  const byPlace = new Map<string, EnvPlan[]>();
  for (const e of envs) byPlace.set(`${e.account}-${e.region}`, [...(byPlace.get(`${e.account}-${e.region}`) ?? []), e]);
  const files = [...byPlace].map(([place, group]) => ({ path: `org/${place}.yaml`, content: group.map(docs).join('---\n') }));
  return { envs, files };
}

/** The organisation the environments live in: clusters and an image in each account and region, the target roles trusting the controller. */
function organisation(envs: EnvPlan[]): SimOrganization {
  const org = new SimOrganization({ seed: 17 });
  for (const account of ACCOUNTS) {
    if (account !== HOME) org.trustController(account, 'steady-target', { externalId: `steady-${account}` });
    for (const region of REGIONS) {
      const clusters = envs.filter((e) => e.account === account && e.region === region).map((e) => e.name);
      org.account(account, region).seed({ ecr: { repositories: { app: [{ tags: ['latest'] }] } }, ecs: { clusters } });
    }
  }
  return org;
}

/** Makes the ECS calls of one cluster hang until `release()`, or throw. */
function trouble(hangCluster: string, throwCluster: string) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const touches = (input: any, cluster: string) => input?.cluster === cluster || (Array.isArray(input?.clusters) && input.clusters.includes(cluster));
  return {
    release: () => release(),
    instrument(clients: AwsClients) {
      clients.ecs.middlewareStack.add(
        (next: any) => async (args: any) => {
          if (touches(args.input, hangCluster)) await gate;
          if (touches(args.input, throwCluster)) throw new TypeError('simulated crash of the ECS client');
          return next(args);
        },
        { step: 'initialize', name: 'fanoutTrouble' },
      );
    },
  };
}

async function setup(count: number, options: { hang?: string; throws?: string } = {}) {
  const { envs, files } = organisationSpecs(count);
  const org = organisation(envs);
  const sqsServer = await startSqs(org.clock);
  // Every SQS client, the dispatcher's default-configured one too, reaches the stand-in as it would reach SQS.
  const restoreEndpoint = useEndpoint('SQS', sqsServer.endpoint);
  const admin = new SQSClient({ region: 'ap-northeast-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const dlqUrl = (await admin.send(new CreateQueueCommand({ QueueName: 'steady-work-dlq' }))).QueueUrl!;
  const queueUrl = (
    await admin.send(
      new CreateQueueCommand({
        QueueName: 'steady-work',
        // Visibility well above the worker's timeout (AWS's advice: six times), redrive after 3 receives.
        Attributes: { VisibilityTimeout: '5400', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:ap-northeast-1:${HOME}:steady-work-dlq`, maxReceiveCount: 3 }) },
      }),
    )
  ).QueueUrl!;
  const config: HandlerConfig = await h.world.config();
  await h.world.publish(files, 'org');
  const orgConfig = { ...config, prefix: 'org/' };
  const t = trouble(options.hang ?? '-', options.throws ?? '-');
  const deps = {
    config: orgConfig,
    clock: org.clock,
    clientsFor: (region: string, credentials?: () => Promise<any>) => org.clients({ region, ...(credentials ? { credentials } : {}) }),
    sts: org.stsClient(),
    instrumentClients: (clients: AwsClients) => t.instrument(clients),
    dynamodb: h.world.dynamodb,
    pollMs: 5_000,
  };
  const dispatcher = createDispatcher({ ...deps, dispatch: { queueUrl, fanOutAbove: 0, workerConcurrency: 10 }, sqs: new SQSClient({ region: 'ap-northeast-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }) });
  const worker = createWorker(deps);
  const store = new StateStore({ client: h.world.dynamodb, tableName: config.table, clock: org.clock });
  const context = () => lambdaContext({ remainingMs: 900_000, requestId: randomUUID() });
  const drain = (leaveRunning?: string) =>
    pollQueue({
      sqs: admin,
      queueUrl,
      queueArn: `arn:aws:sqs:ap-northeast-1:${HOME}:steady-work`,
      worker,
      context,
      maximumConcurrency: 10,
      ...(leaveRunning ? { leaveRunning: (event) => event.Records.some((r) => JSON.parse(r.body).environment === leaveRunning) } : {}),
    });
  const verdicts = async () => new Map((await store.listEnvironments()).map((e) => [e.environment, e.lastVerdict]));
  return { envs, files, org, sqsServer, admin, queueUrl, dlqUrl, dispatcher, worker, store, context, drain, verdicts, release: t.release, close: () => (restoreEndpoint(), sqsServer.close()) };
}

describe('fan-out: dispatcher, work queue, workers', () => {
  it(
    '200 environments in 3 accounts and 2 regions converge; a hung one and a crashing one hold up and fail no other; a second tick during the hung pass starts no second writer and does not queue it again',
    async () => {
      const s = await setup(200, { hang: 'env-007', throws: 'env-013' });
      let running: Promise<void>[] = [];
      try {
        // Tick 1: one message per environment.
        const first = (await s.dispatcher(eventJson('eventbridge-scheduled'), s.context())) as DispatchSummary;
        expect(first.mode).toBe('fanOut');
        expect(first.enqueued).toHaveLength(200);
        const tick1 = await s.drain('env-007');
        running = tick1.running;
        expect(tick1.running).toHaveLength(1); // env-007's worker is still inside its pass

        const afterTick1 = await s.verdicts();
        const others = s.envs.map((e) => e.name).filter((n) => n !== 'env-007' && n !== 'env-013');
        expect(others.filter((n) => !['converged', 'converging'].includes(afterTick1.get(n) ?? 'none'))).toEqual([]);
        expect(afterTick1.get('env-013')).toBe('unknown');
        expect(afterTick1.has('env-007')).toBe(false);
        // Every account and region got its services, each through its own clients.
        for (const account of ACCOUNTS) {
          for (const region of REGIONS) {
            const created = s.org.account(account, region).calls.filter((c) => c.operation === 'CreateService').map((c) => c.input.cluster);
            expect(created.sort()).toEqual(s.envs.filter((e) => e.account === account && e.region === region && e.name !== 'env-007' && e.name !== 'env-013').map((e) => e.name));
          }
        }
        expect(s.org.stsCalls.filter((c) => c.operation === 'AssumeRole' && !c.error).length).toBeGreaterThanOrEqual(2);

        // Tick 2 while env-007's first pass still runs: the tick leaves it out (its message has had no
        // pass yet), and a manual invoke naming it gets a message dropped by the lease, not retried.
        s.org.clock.advance(60_000);
        const callsBefore = s.org.accounts().map((a) => a.calls.length);
        const second = (await s.dispatcher(eventJson('eventbridge-scheduled'), s.context())) as DispatchSummary;
        expect(second.enqueued).toHaveLength(199);
        expect(second.queued).toEqual(['env-007']);
        const manual = (await s.dispatcher({ environment: 'env-007' }, s.context())) as DispatchSummary;
        expect(manual.enqueued).toEqual([{ environment: 'env-007', reason: 'named' }]);
        const tick2 = await s.drain();
        expect(tick2.invocations).toBe(200);
        // Left in the queue: only tick 1's message for env-007, invisible while its worker runs.
        expect(s.sqsServer.queue('steady-work')?.messages.map((m) => [JSON.parse(m.body).environment, m.visibleAt > s.org.clock.now()])).toEqual([['env-007', true]]);
        expect(s.sqsServer.depth('steady-work-dlq')).toBe(0);
        const dropped = h.output.logs().filter((l) => l.environment === 'env-007' && String(l.message).startsWith('dropped:'));
        expect(dropped).toHaveLength(1);
        expect(dropped[0].message).toMatch(/^dropped: .*lease/);
        const env007 = s.envs.find((e) => e.name === 'env-007')!;
        const env007Calls = s.org
          .accounts()
          .flatMap((a, i) => a.calls.slice(callsBefore[i] ?? 0))
          .filter((c) => c.input?.cluster === 'env-007' || c.input?.clusters?.includes?.('env-007'));
        expect(env007Calls).toEqual([]); // no second writer (nor reader) for it
        const afterTick2 = await s.verdicts();
        expect(others.filter((n) => afterTick2.get(n) !== 'converged')).toEqual([]);

        // The hung pass resumes and finishes on its own lease.
        s.release();
        await Promise.all(tick1.running);
        expect(s.sqsServer.depth('steady-work')).toBe(0);
        const last = await s.store.lastPass('env-007');
        expect(last?.verdict).toMatch(/^(converged|converging)$/);
        expect(s.org.account(env007.account, env007.region).calls.some((c) => c.operation === 'CreateService' && c.input.cluster === 'env-007')).toBe(true);
      } finally {
        s.release();
        await Promise.allSettled(running);
        await s.close();
      }
    },
    240_000,
  );

  it('on a spec change sends only the environments whose rendered specs changed, and those whose last pass failed', async () => {
    const s = await setup(4, { throws: 'env-002' });
    try {
      await s.dispatcher(eventJson('eventbridge-scheduled'), s.context());
      await s.drain();
      expect([...(await s.verdicts())].sort()).toEqual([['env-000', 'converging'], ['env-001', 'converging'], ['env-002', 'unknown'], ['env-003', 'converging']]);

      // A new commit: env-001 scaled to 2; a comment added to env-000 (its rendered specs are the same).
      const holding = (name: string) => (f: SpecFile) => String(f.content).includes(`metadata: { name: ${name} }`);
      expect(s.files.filter(holding('env-001'))).toHaveLength(1);
      expect(s.files.find(holding('env-001'))).not.toBe(s.files.find(holding('env-000')));
      const files = s.files.map((f) =>
        holding('env-001')(f) ? { ...f, content: String(f.content).replace('desiredCount: 1', 'desiredCount: 2') } : holding('env-000')(f) ? { ...f, content: `# owned by the shop team\n${f.content}` } : f,
      );
      await h.world.publish(files, 'org');
      const event = eventJson('s3-put-head');
      event.Records[0].s3.object.key = 'org/HEAD';
      const summary = (await s.dispatcher(event, s.context())) as DispatchSummary;

      expect(summary.enqueued).toEqual([
        { environment: 'env-001', reason: 'changed' },
        { environment: 'env-002', reason: 'lastPassFailed' },
      ]);
      expect(summary.unchanged).toEqual(['env-000', 'env-003']);
      expect(s.sqsServer.queue('steady-work')?.messages.map((m) => JSON.parse(m.body)).map((b) => [b.environment, b.trigger, b.commit === summary.commit])).toEqual([
        ['env-001', 's3', true],
        ['env-002', 's3', true],
      ]);
    } finally {
      await s.close();
    }
  });

  it('sends a malformed message back until the redrive policy moves it to the dead-letter queue', async () => {
    const s = await setup(2);
    try {
      await s.admin.send(new SendMessageCommand({ QueueUrl: s.queueUrl, MessageBody: '{"environment":"env-000"}' }));

      let idle = 0;
      await pollQueue({
        sqs: s.admin,
        queueUrl: s.queueUrl,
        queueArn: 'arn:aws:sqs:ap-northeast-1:123456789012:steady-work',
        worker: s.worker,
        context: s.context,
        maximumConcurrency: 2,
        // The failed message becomes visible again once its visibility timeout has passed.
        onIdle: () => {
          s.org.clock.advance(5_400_000);
          return ++idle < 5;
        },
      });

      expect(s.sqsServer.depth('steady-work')).toBe(0);
      expect(s.sqsServer.queue('steady-work-dlq')?.messages.map((m) => m.body)).toEqual(['{"environment":"env-000"}']);
      const errors = h.output.logs().filter((l) => l.level === 'ERROR' && String(l.message).startsWith('work message'));
      expect(errors).toHaveLength(3);
      expect(errors[0].message).toMatch(/is not a steady work message \(v: .*; commit: Invalid input: expected string, received undefined; .*\); it goes to the dead-letter queue after its retries$/);
      expect(await s.store.listEnvironments()).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
