/**
 * The Lambda's log lines and its answer are reports too: nothing secret-shaped leaves the handler,
 * even when the event itself carries a secret.
 */
import { describe, expect, it } from 'vitest';
import { exampleAccount } from '../testing/world.js';
import { createHandler } from './app.js';
import { lambdaContext, shopProdFiles, useHandlerWorld } from './testkit.js';

const h = useHandlerWorld();

const TOKEN = 'xoxb-1234567890-DoNotPrintThis';

async function handler(prefix: string) {
  const config = await h.world.config({ prefix: `${prefix}/` });
  const account = await exampleAccount('shop-prod', { seed: 7 });
  return createHandler({ config, clock: account.clock, clientsFor: () => account.clients(), dynamodb: h.world.dynamodb, pollMs: 5_000 });
}

describe('the Lambda handler redacts', () => {
  it('its answer and its log lines when an event names a secret as an environment', async () => {
    await h.world.publish(shopProdFiles(), 'redact-1');
    const handle = await handler('redact-1');

    const summary = await handle({ environment: TOKEN, dryRun: true }, lambdaContext({ remainingMs: 300_000 }));

    expect(summary.environments[0].error).toMatch(/^no environment \[redacted\] in commit [0-9a-f]{12} \(it has: shop-prod\); nothing was done for it$/);
    expect(JSON.stringify(summary)).not.toContain(TOKEN);
    const errors = h.output.logs().filter((l) => l.level === 'ERROR');
    expect(errors.map((l) => l.message)).toContainEqual(expect.stringMatching(/^no environment \[redacted\] in commit/));
    expect(h.output.lines.map((l) => l.text).join('\n')).not.toContain(TOKEN);
  });

  it('the event it logs when it refuses one', async () => {
    const handle = await handler('redact-2');

    await expect(handle({ environment: 'shop-prod', dryrun: true, note: `Bearer ${TOKEN}` }, lambdaContext({ remainingMs: 300_000 }))).rejects.toThrow();

    const logged = h.output.logs().find((l) => String(l.message).startsWith('invalid event'));
    expect(logged?.event).toMatchObject({ environment: 'shop-prod', note: 'Bearer [redacted]' });
    expect(h.output.lines.map((l) => l.text).join('\n')).not.toContain(TOKEN);
  });
});
