import { GetDistributionCommand } from '@aws-sdk/client-cloudfront';
import { DescribeClustersCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { SimAccount } from '../sim/account.js';
import { countCalls } from './clients.js';
import { LazyClient } from './lazy-client.js';
import { pacerOf } from './pace.js';

const DISTRIBUTION = 'E2QWRUHAPOMQZL';

function setup() {
  const account = new SimAccount({ start: 0 }).seed({
    cloudfront: { distributions: [{ id: DISTRIBUTION, domainName: 'd111111abcdef8.cloudfront.net', aliases: ['www.example.com'] }] },
  });
  return { account, clients: account.clients() };
}

describe('the CloudFront client of a set of clients', () => {
  it('is not made (its package not imported) until a command is sent', async () => {
    const { account, clients } = setup();
    countCalls(clients);

    expect(clients.cloudfront.made).toBe(false);
    expect(account.calls).toEqual([]);
  });

  it('is made once on the first commands, with everything added to it before, in order: pacing, the simulated account, counters', async () => {
    const { account, clients } = setup();
    const calls = countCalls(clients);
    const seen: string[] = [];
    clients.cloudfront.middlewareStack.add(
      (next: any, context: any) => async (args: any) => {
        seen.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'testRecorder' },
    );

    const answers = await Promise.all([1, 2, 3].map(() => clients.cloudfront.send(new GetDistributionCommand({ Id: DISTRIBUTION }))));

    expect(clients.cloudfront.made).toBe(true);
    expect(answers.map((a) => a.Distribution?.DomainName)).toEqual(['d111111abcdef8.cloudfront.net', 'd111111abcdef8.cloudfront.net', 'd111111abcdef8.cloudfront.net']);
    // The simulated account answered (attached before the client was made), each call counted once.
    expect(account.callCounts()).toEqual({ 'cloudfront:GetDistribution': 3 });
    expect(calls.counts()).toEqual({ 'cloudfront:GetDistribution': 3 });
    expect(seen).toEqual(['GetDistributionCommand', 'GetDistributionCommand', 'GetDistributionCommand']);
    // steady's pacing is the lazily made client's too: CloudFront's read bucket at steady's share.
    expect(pacerOf(clients.cloudfront)?.perSecond('GetDistribution')).toBe(2.5);
    // Added after it was made: applies at once.
    clients.cloudfront.middlewareStack.add((next: any) => async (args: any) => next(args), { step: 'initialize', name: 'late' });
    const made = await clients.cloudfront.client();
    expect(made.middlewareStack.identify()).toEqual(expect.arrayContaining(['testRecorder - initialize', 'late - initialize', 'steadyPacing - finalizeRequest']));
  });

  it('runs what waits for the client when it is made, or at once afterwards', async () => {
    const { clients } = setup();
    const order: string[] = [];
    clients.cloudfront.whenMade(() => order.push('before'));
    expect(order).toEqual([]);

    await clients.cloudfront.send(new GetDistributionCommand({ Id: DISTRIBUTION }));
    clients.cloudfront.whenMade(() => order.push('after'));

    expect(order).toEqual(['before', 'after']);
  });
});

describe('LazyClient', () => {
  it('makes the client again on the next command when making it failed (a chunk that could not be loaded)', async () => {
    const account = new SimAccount({ start: 0 }).seed({ ecs: { clusters: [{ name: 'shop-prod' }] } });
    let attempts = 0;
    const lazy = new LazyClient<ECSClient>('ecs', async () => {
      attempts++;
      if (attempts === 1) throw new Error('Cannot find module ./chunks/client-ecs.mjs');
      return account.clients().ecs;
    });

    await expect(lazy.send(new DescribeClustersCommand({ clusters: ['shop-prod'] }))).rejects.toThrow('Cannot find module ./chunks/client-ecs.mjs');
    expect(lazy.made).toBe(false);
    const out = await lazy.send(new DescribeClustersCommand({ clusters: ['shop-prod'] }));

    expect(out.clusters?.map((c) => c.clusterName)).toEqual(['shop-prod']);
    expect(attempts).toBe(2);
    expect(account.callCounts()).toEqual({ 'ecs:DescribeClusters': 1 });
  });
});
