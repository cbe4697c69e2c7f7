import { describe, expect, it } from 'vitest';
import type { ChangeRecordsAction, Plan } from '../model/plan.js';
import { createAdapters } from '../pass.js';
import { SimAccount } from '../sim/account.js';
import { converge, unitsOf } from './converge.js';

const ENV = 'shop-prod';

/** An account with one ALB and the zones `example.com` and `example.net`. */
function account(): SimAccount {
  return new SimAccount({ seed: 7 }).seed({
    elbv2: { targetGroups: [{ name: 'web-tg' }], loadBalancers: [{ name: 'web-alb', listeners: [{ port: 80, forward: 'web-tg' }] }] },
    route53: { zones: [{ name: 'example.com' }, { name: 'example.net' }] },
  });
}

function idOf(a: SimAccount, name: string): string {
  const zones = a.route53.operations.ListHostedZonesByName!({ DNSName: name }) as { HostedZones: { Id: string; Name: string }[] };
  return zones.HostedZones.find((z) => z.Name === `${name}.`)!.Id.replace('/hostedzone/', '');
}

/** What the planner makes for a new alias: the record and its ownership TXT, in one action. */
function newAlias(a: SimAccount, zone: string, label: string): ChangeRecordsAction {
  const lb = a.elbv2.findByName('web-alb')!;
  const name = `${label}.${zone}`;
  return {
    kind: 'ChangeRecords',
    id: `records:AliasRecord/${label}`,
    resource: `AliasRecord/${label}`,
    summary: `create ${name} A`,
    diff: [],
    dependsOn: [],
    zoneId: idOf(a, zone),
    zoneName: zone,
    changes: [
      { action: 'CREATE', record: { name, type: 'A', alias: { dnsName: lb.dnsName, hostedZoneId: lb.hostedZoneId, evaluateTargetHealth: false } } },
      {
        action: 'UPSERT',
        record: { name: `_steady-a.${name}`, type: 'TXT', ttl: 300, values: [`"heritage=steady,steady/environment=${ENV},steady/resource=AliasRecord/${label}"`] },
      },
    ],
  };
}

function planOf(actions: ChangeRecordsAction[]): Plan {
  return {
    environment: ENV,
    policy: { mode: 'enforce', dryRun: false, changeBudget: 1000, now: 0 },
    actions,
    resources: [],
    budget: { limit: 1000, used: actions.length, exceeded: false },
    holdAll: false,
  };
}

describe('Route 53 change batches', () => {
  it('keeps the record changes of one zone in one batch while they fit', () => {
    // Prepare
    const a = account();
    const actions = [newAlias(a, 'example.com', 'api'), newAlias(a, 'example.net', 'api'), newAlias(a, 'example.com', 'www')];

    // Act
    const units = unitsOf(actions);

    // Assess
    expect(units.map((u) => u.actions.map((x) => `${x.id}@${(x as ChangeRecordsAction).zoneName}`))).toEqual([
      ['records:AliasRecord/api@example.com', 'records:AliasRecord/www@example.com'],
      ['records:AliasRecord/api@example.net'],
    ]);
  });

  it('splits a zone with hundreds of new records into batches Route 53 accepts, instead of one it refuses', async () => {
    // Prepare: 400 ownership TXT values of 82 characters, each an UPSERT (counted twice): 65,600
    // characters, twice Route 53's 32,000 per request; 195 actions (390 changes) fit in one.
    const a = account();
    const actions = Array.from({ length: 400 }, (_, i) => newAlias(a, 'example.com', `svc-${String(i).padStart(3, '0')}`));

    // Act
    const outcomes = await converge(planOf(actions), createAdapters(a.clients()), { clock: a.clock });

    // Assess
    expect(outcomes.filter((o) => o.state !== 'done')).toEqual([]);
    const batches = a.calls.filter((c) => c.operation === 'ChangeResourceRecordSets');
    expect(batches.map((c) => [c.input.ChangeBatch.Changes.length, c.error])).toEqual([
      [390, undefined],
      [390, undefined],
      [20, undefined],
    ]);
    expect(batches.map((c) => c.input.ChangeBatch.Changes.length).reduce((x, y) => x + y)).toBe(800);
    const records = a.route53.recordSets('example.com');
    expect(records.filter((r) => r.Type === 'A')).toHaveLength(400);
    expect(records.filter((r) => r.Type === 'TXT')).toHaveLength(400);
  });
});
