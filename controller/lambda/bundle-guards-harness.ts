/**
 * Runs the *bundled* handler (first argument) through the events that used to make a Lambda
 * outlive its deadline or flood its log (issue 15, item 6), one scenario after another, against
 * the simulated account of the example fixture (S3 and DynamoDB are the test's local servers).
 * Before each scenario it writes `STEADY_SCENARIO <name>` to stdout and stderr, so the test can
 * tell whose log lines are whose; at the end, one line `STEADY_RESULT <json>` with each scenario's
 * answer or error. Used by `bundle.test.ts`; run with `node --import tsx`.
 */
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { exampleAccount } from '../testing/world.js';

const [bundlePath] = process.argv.slice(2);
const account = await exampleAccount('shop-prod', { seed: 13 });
const artefact = (await import(pathToFileURL(bundlePath).href)) as typeof import('./handler.js');
/** While set, ECS DescribeServices never answers: a call hanging near the Lambda's end. */
let hang = false;
const handler = artefact.createHandler({
  clock: account.clock,
  instrumentClients: (clients) => {
    for (const client of Object.values(clients)) account.attach(client);
    clients.ecs.middlewareStack.add(
      (next, context) => async (args) => (hang && context.commandName === 'DescribeServicesCommand' ? new Promise<never>(() => undefined) : next(args)),
      { step: 'initialize', priority: 'high', name: 'hangingCall' },
    );
  },
});
const context = (requestId: string, remainingMs: number): Context => {
  const end = Date.now() + remainingMs;
  return {
    functionName: 'steady',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:ap-northeast-1:123456789012:function:steady',
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/steady',
    logStreamName: 'bundle-guards',
    getRemainingTimeInMillis: () => end - Date.now(),
  } as Context;
};

const s3Record = (key: string) => ({ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'steady-specs' }, object: { key } } });
const scenarios: Record<string, () => Promise<unknown>> = {
  // A DescribeServices call hangs; 8 s left with a 4 s margin (STEADY_TIME_MARGIN_SECONDS=4): the pass stops starting work at 4 s and is given up at 6 s.
  hangingCall: async () => {
    hang = true;
    try {
      return await handler({ environment: 'shop-prod' }, context('33333333-3333-4333-8333-333333333333', 8_000));
    } finally {
      hang = false;
    }
  },
  malformedKey: () => handler({ Records: [s3Record('shop-prod/%E0%A4%A')] }, context('44444444-4444-4444-8444-444444444444', 300_000)),
  hugeField: () => handler({ environment: 'shop-prod', dryRun: 'x'.repeat(5 * 1024 * 1024) }, context('55555555-5555-4555-8555-555555555555', 300_000)),
  manyRecords: () =>
    handler({ Records: Array.from({ length: 100_000 }, (_, i) => s3Record(`elsewhere/object-${i}.yaml`)) }, context('66666666-6666-4666-8666-666666666666', 300_000)),
  manyUnknown: () =>
    handler({ environments: Array.from({ length: 20_000 }, (_, i) => `env-${i}`), dryRun: true }, context('77777777-7777-4777-8777-777777777777', 300_000)),
};

const results: Record<string, { answer?: unknown; error?: { name: string; message: string }; returnedInMs: number }> = {};
for (const [name, run] of Object.entries(scenarios)) {
  process.stdout.write(`STEADY_SCENARIO ${name}\n`);
  process.stderr.write(`STEADY_SCENARIO ${name}\n`);
  const started = Date.now();
  try {
    results[name] = { answer: await run(), returnedInMs: Date.now() - started };
  } catch (err) {
    results[name] = { error: { name: (err as Error).name, message: (err as Error).message.slice(0, 1_000) }, returnedInMs: Date.now() - started };
  }
}
process.stdout.write(`STEADY_RESULT ${JSON.stringify(results)}\n`);
