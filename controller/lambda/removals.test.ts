/**
 * A new HEAD that no longer holds an Environment or resource is said loudly, once: the handler
 * in-process against the simulated account, the local state table and the local S3 server.
 */
import { describe, expect, it } from 'vitest';
import { shortCommit } from '../source/commit.js';
import { exampleAccount } from '../testing/world.js';
import { createHandler } from './app.js';
import type { HandlerConfig } from './config.js';
import { METRIC } from './telemetry.js';
import { lambdaContext, shopProdFiles, useHandlerWorld } from './testkit.js';

const h = useHandlerWorld();

/** A container: a handler of its own (its own memory) on the shared table and bucket. */
async function container(config: HandlerConfig) {
  const account = await exampleAccount('shop-prod', { seed: 7 });
  return createHandler({ config, clock: account.clock, clientsFor: () => account.clients(), dynamodb: h.world.dynamodb, pollMs: 5_000 });
}

const DRY_RUN = { environment: 'shop-prod', dryRun: true };
const withoutApex = () => shopProdFiles().filter((f) => f.path !== 'shop/prod/apex-dns.yaml');
const removedLines = () => h.output.logs().filter((l) => l.level === 'WARN' && String(l.message).includes('is no longer in the specs'));
const removedMetrics = () => h.output.emf().filter((m) => m[METRIC.specsRemoved] !== undefined);

describe('the Lambda on a commit that no longer holds what the previous one did', () => {
  it('logs each removal and emits SpecsRemoved once, however many invocations and containers see the commit', async () => {
    const config = await h.world.config({ prefix: 'removals-1/' });
    const before = await h.world.publish(shopProdFiles(), 'removals-1');
    // prod/apex-dns.yaml lost: the apex AliasRecord, written whole beside the overlay, vanishes from the specs.
    const after = await h.world.publish(withoutApex(), 'removals-1');
    const [a, b] = [await container(config), await container(config)];

    await a(DRY_RUN, lambdaContext({ remainingMs: 300_000, requestId: 'first' }));
    await b(DRY_RUN, lambdaContext({ remainingMs: 300_000, requestId: 'second' }));
    await a(DRY_RUN, lambdaContext({ remainingMs: 300_000, requestId: 'third' }));

    const commits = `(commit ${shortCommit(before)} → ${shortCommit(after)})`;
    expect(removedLines().map((l) => [l.message, l.function_request_id, l.removed])).toEqual([
      [`AliasRecord apex-dns of environment shop-prod is no longer in the specs ${commits}; it is not reconciled any more; steady deletes nothing`, 'first', 'AliasRecord/apex-dns'],
    ]);
    expect(removedMetrics()).toEqual([
      expect.objectContaining({ [METRIC.specsRemoved]: 1, _aws: expect.objectContaining({ CloudWatchMetrics: [expect.objectContaining({ Dimensions: [['service']] })] }) }),
    ]);
  });

  it('says nothing when the new commit only adds', async () => {
    const config = await h.world.config({ prefix: 'removals-2/' });
    await h.world.publish(withoutApex(), 'removals-2');
    await h.world.publish(shopProdFiles(), 'removals-2');

    await (await container(config))(DRY_RUN, lambdaContext({ remainingMs: 300_000 }));

    expect(removedLines()).toEqual([]);
    expect(removedMetrics()).toEqual([]);
  });

  it('says it even when the state table cannot record that it did (a repeat is better than silence)', async () => {
    const config = await h.world.config({ prefix: 'removals-3/', table: 'no-such-table' });
    await h.world.publish(shopProdFiles(), 'removals-3');
    await h.world.publish(withoutApex(), 'removals-3');

    await (await container(config))(DRY_RUN, lambdaContext({ remainingMs: 300_000 }));

    expect(removedLines()).toHaveLength(1);
    expect(h.output.logs().some((l) => l.level === 'WARN' && String(l.message).startsWith('whether this was said before could not be checked, so it is said (again): claiming notice specs-removed#'))).toBe(true);
    expect(removedMetrics()).toHaveLength(1);
  });
});
