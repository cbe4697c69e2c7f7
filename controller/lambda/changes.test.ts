/**
 * A new HEAD reconciles the environments whose rendered specs it changed, not every environment:
 * the shop example (a base, shop-prod and shop-staging overlays) published to the local S3 server,
 * the handler woken by the S3 event of each new HEAD, against the simulated account.
 */
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { SpecFile } from '../spec/load.js';
import { exampleAccount } from '../testing/world.js';
import { createHandler } from './app.js';
import { eventJson, lambdaContext, specFiles, SPEC_BUCKET, useHandlerWorld } from './testkit.js';

const h = useHandlerWorld();

const PLENTY = lambdaContext({ remainingMs: 300_000 });

async function setup(prefix: string) {
  const account = await exampleAccount('shop-prod', { seed: 7 });
  const config = await h.world.config({ prefix: `${prefix}/` });
  const handler = createHandler({ config, clock: account.clock, clientsFor: () => account.clients(), dynamodb: h.world.dynamodb, pollMs: 5_000 });
  const headEvent = eventJson('s3-put-head');
  headEvent.Records[0].s3.bucket.name = SPEC_BUCKET;
  headEvent.Records[0].s3.object.key = `${prefix}/HEAD`;
  return { account, handler, headEvent };
}

/** The files with `from` replaced by `to` in the file at `path` (which must hold it). */
function edit(files: SpecFile[], path: string, from: string, to: string): SpecFile[] {
  return files.map((f) => {
    if (f.path !== path) return f;
    const text = f.content.toString();
    if (!text.includes(from)) throw new Error(`${from} is not in ${path}`);
    return { ...f, content: text.replace(from, to) };
  });
}

describe('the S3 event of a new HEAD', () => {
  it('reconciles the environments whose rendered specs changed; the schedule still reconciles every one', async () => {
    const { account, handler, headEvent } = await setup('changes-1');
    const shop = specFiles('shop');
    await h.world.publish(shop, 'changes-1');
    const first = await handler(eventJson('eventbridge-scheduled'), PLENTY);
    expect(first.environments.map((e) => [e.environment, e.outcome])).toEqual([['shop-prod', 'ok'], ['shop-staging', 'ok']]);
    account.clock.advance(10 * 60_000);

    // The staging overlay asks for two tasks: staging alone is reconciled.
    const scaled = edit(shop, 'shop/staging/overlay.yaml', 'desiredCount: 1', 'desiredCount: 2');
    const staging = await h.world.publish(scaled, 'changes-1');
    const onStaging = await handler(headEvent, PLENTY);

    expect(onStaging).toMatchObject({ trigger: 's3', ok: true, commit: staging });
    expect(onStaging.environments.map((e) => e.environment)).toEqual(['shop-staging']);
    expect(onStaging.environments[0].changes.map((c) => `${c.kind}:${c.state}`)).toEqual(['UpdateService:done']);
    const api = await account.clients().ecs.send(new DescribeServicesCommand({ cluster: 'shop-staging', services: ['api'] }));
    expect(api.services?.[0].desiredCount).toBe(2);
    expect(h.output.logs().find((l) => String(l.message).startsWith(`commit ${staging.slice(0, 12)} changes`))).toMatchObject({
      level: 'INFO',
      changed: ['shop-staging'],
      unchanged: ['shop-prod'],
    });

    // A change to the base that only production's rendering sees (staging runs without the agent).
    const agent = edit(scaled, 'shop/base/api.yaml', 'essential: false', 'essential: true');
    await h.world.publish(agent, 'changes-1');
    const onBase = await handler(headEvent, PLENTY);
    expect(onBase.environments.map((e) => e.environment)).toEqual(['shop-prod']);

    // Comments and formatting change no environment: the event reconciles nothing; the tick, everything.
    await h.world.publish(edit(agent, 'shop/base/dns.yaml', '# The api', '# The API'), 'changes-1');
    expect((await handler(headEvent, PLENTY)).environments).toEqual([]);
    const tick = await handler(eventJson('eventbridge-scheduled'), PLENTY);
    expect(tick.environments.map((e) => e.environment)).toEqual(['shop-prod', 'shop-staging']);
  });

  it('reconciles every environment when the commit HEAD replaced cannot be read', async () => {
    const { handler, headEvent } = await setup('changes-2');
    const shop = specFiles('shop');
    const before = await h.world.publish(shop, 'changes-2');
    await h.world.publish(edit(shop, 'shop/staging/overlay.yaml', 'desiredCount: 1', 'desiredCount: 2'), 'changes-2');
    await h.world.s3.send(new DeleteObjectCommand({ Bucket: SPEC_BUCKET, Key: `changes-2/commits/${before}.json` }));

    const summary = await handler(headEvent, PLENTY);

    expect(summary.environments.map((e) => e.environment)).toEqual(['shop-prod', 'shop-staging']);
    expect(h.output.logs().some((l) => l.level === 'WARN' && String(l.message).startsWith('which environments commit'))).toBe(true);
  });
});
