/**
 * Runs the *bundled* handler (the esbuild artefact, given as the first argument) in this process,
 * against the simulated account of the example fixture: the artefact's own SDK clients are made
 * as in production and the account attaches to them. S3 and DynamoDB are the local servers the
 * test points `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL_DYNAMODB` at; the configuration comes from
 * the `STEADY_*` variables, as on Lambda. Prints the handler's output, then one line
 * `STEADY_RESULT <json>`. Used by `bundle.test.ts`; run with `node --import tsx`.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { exampleAccount } from '../testing/world.js';

const [bundlePath, eventPath] = process.argv.slice(2);
const account = await exampleAccount('shop-prod', { seed: 11 });
const artefact = (await import(pathToFileURL(bundlePath).href)) as typeof import('./handler.js');
const handler = artefact.createHandler({
  clock: account.clock,
  instrumentClients: (clients) => {
    for (const client of Object.values(clients)) account.attach(client);
  },
});
const event = JSON.parse(readFileSync(eventPath, 'utf8'));
const context = (requestId: string): Context =>
  ({
    functionName: 'steady',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:ap-northeast-1:123456789012:function:steady',
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/steady',
    logStreamName: 'bundle-test',
    getRemainingTimeInMillis: () => 300_000,
  }) as Context;

const first = await handler(event, context('11111111-1111-4111-8111-111111111111'));
account.clock.advance(10 * 60_000);
const second = await handler(event, context('22222222-2222-4222-8222-222222222222'));
console.log(`STEADY_RESULT ${JSON.stringify({ summaries: [first, second], mutatingCalls: account.mutatingCalls().map((c) => `${c.service}:${c.operation}`) })}`);
