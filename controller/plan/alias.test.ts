/**
 * Equivalent alias targets are not drift: a console-made `dualstack.` target, letter case and a
 * trailing dot all name the same load balancer, and adoption keeps the record as the user made it.
 */
import { describe, expect, it } from 'vitest';
import type { ChangeRecordsAction } from '../model/plan.js';
import { desiredShop, LB_DNS, POLICY, syncedActual } from '../testing/plan-fixtures.js';
import { plan } from './plan.js';

function adopting(dnsName: string) {
  const desired = desiredShop();
  desired.aliases[0].spec.adopt = true;
  const actual = syncedActual(desired);
  const zone = actual.zones['example.com']!;
  // A record made in the console: no ownership TXT record beside it.
  zone.records = [{ name: 'api.example.com', type: 'A', alias: { dnsName, hostedZoneId: 'Z14GRHDCWA56QT', evaluateTargetHealth: false } }];
  return plan(desired, actual, POLICY);
}

describe('adopting an alias record', () => {
  for (const form of [`dualstack.${LB_DNS}`, LB_DNS.toUpperCase(), `${LB_DNS}.`]) {
    it(`keeps ${form} as it is and only writes the ownership record`, () => {
      const p = adopting(form);

      const change = p.actions.find((a) => a.resource === 'AliasRecord/api-dns') as ChangeRecordsAction;
      expect(change.changes).toEqual([
        { action: 'UPSERT', record: { name: '_steady-a.api.example.com', type: 'TXT', ttl: 300, values: ['"heritage=steady,steady/environment=shop-prod,steady/resource=AliasRecord/api-dns"'] } },
      ]);
      expect(change.summary).toBe(`adopt api.example.com A as it is (${form}); write its ownership record _steady-a.api.example.com`);
      expect(p.resources.find((r) => r.resource === 'AliasRecord/api-dns')).toMatchObject({ phase: 'Drifted', reason: 'Adopting' });
    });
  }

  it('rewrites a record that points elsewhere, and says from what to what', () => {
    const p = adopting('old-alb-1.ap-northeast-1.elb.amazonaws.com');

    const change = p.actions.find((a) => a.resource === 'AliasRecord/api-dns') as ChangeRecordsAction;
    expect(change.changes.map((c) => `${c.action} ${c.record.name} ${c.record.type}`)).toEqual(['UPSERT api.example.com A', 'UPSERT _steady-a.api.example.com TXT']);
    expect(change.changes[0].record.alias!.dnsName).toBe(LB_DNS);
  });
});
