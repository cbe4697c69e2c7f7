/**
 * Route 53 changes are reported done only once Route 53 says INSYNC: a change still PENDING when the
 * wait runs out is pending, and the next pass checks it (simulated account, simulated clock).
 */
import { stopFor } from '../interrupt.js';
import { ListHostedZonesByNameCommand } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import type { ChangeRecordsAction } from '../model/plan.js';
import { createAdapters } from '../pass.js';
import { CHANGE_PROPAGATION_MS } from '../sim/route53.js';
import { world } from '../testing/world.js';
import { Outputs, type ExecContext } from './context.js';
import { changeRecords } from './records.js';

async function setup(insyncWaitMs: number) {
  const w = await world('shop-prod', { seed: 7 });
  const clients = w.account.clients();
  const zones = await clients.route53.send(new ListHostedZonesByNameCommand({ DNSName: 'example.com' }));
  const zoneId = zones.HostedZones![0].Id!.replace('/hostedzone/', '');
  const ctx: ExecContext = {
    plan: { environment: 'shop-prod', policy: { mode: 'enforce', dryRun: false, changeBudget: 20, now: w.account.clock.now() }, actions: [], resources: [], budget: { limit: 20, used: 0, exceeded: false }, holdAll: false },
    adapters: createAdapters(clients),
    outputs: new Outputs(),
    clock: w.account.clock,
    pollMs: 5_000,
    insyncWaitMs,
    deadline: w.account.clock.now() + 600_000,
    passId: 'pass-r53',
    stop: stopFor({ clock: w.account.clock, deadline: w.account.clock.now() + 600_000 }),
  };
  const action: ChangeRecordsAction = {
    kind: 'ChangeRecords',
    id: 'records:AliasRecord/www',
    resource: 'AliasRecord/www',
    summary: 'create www.example.com TXT',
    diff: [],
    dependsOn: [],
    zoneId,
    zoneName: 'example.com',
    changes: [{ action: 'UPSERT', record: { name: 'www.example.com', type: 'TXT', ttl: 300, values: ['"hello"'] } }],
  };
  const from = w.account.calls.length;
  const getChanges = () => w.account.calls.slice(from).filter((c) => c.operation === 'GetChange');
  return { w, ctx, action, getChanges };
}

describe('Route 53 changes', () => {
  it('a change still PENDING when the wait runs out is reported pending, never done', async () => {
    const { w, ctx, action, getChanges } = await setup(CHANGE_PROPAGATION_MS / 3);
    const start = w.account.clock.now();

    const [result] = await changeRecords([action], ctx);

    expect(result).toMatchObject({ state: 'pending', message: expect.stringMatching(/^change C[A-Z0-9]+ is still PENDING; Route 53 applies it within about a minute, and the next pass checks it$/) });
    expect(getChanges().length).toBeGreaterThanOrEqual(2);
    expect(w.account.clock.now() - start).toBeLessThanOrEqual(CHANGE_PROPAGATION_MS / 3);
  });

  it('a change is done once Route 53 reports it INSYNC, after polling through PENDING', async () => {
    const { w, ctx, action, getChanges } = await setup(2 * CHANGE_PROPAGATION_MS);
    const start = w.account.clock.now();

    const [result] = await changeRecords([action], ctx);

    expect(result).toMatchObject({ state: 'done', message: expect.stringMatching(/^change C[A-Z0-9]+ is INSYNC$/) });
    expect(w.account.clock.now() - start).toBeGreaterThanOrEqual(CHANGE_PROPAGATION_MS);
    expect(getChanges().length).toBe(Math.ceil(CHANGE_PROPAGATION_MS / ctx.pollMs) + 1);
  });
});
