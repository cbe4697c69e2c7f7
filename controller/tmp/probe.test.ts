import { it } from 'vitest';
import { world } from '../testing/world.js';
it('probe', async () => {
  const w = await world('shop-prod');
  const { result } = await w.pass();
  console.log(result.resources.filter((r) => r.kind === 'Maintenance' || r.kind === 'AliasRecord').map((r) => `${r.resource} ${r.phase} ${r.reason} ${r.message}`).join('\n'));
  w.desired.maintenance![0].spec.maintenance = 'on';
  const { result: r2 } = await w.pass();
  for (const r of r2.resources.filter((r) => r.kind === 'Maintenance')) console.log(r.phase, r.reason, r.message, JSON.stringify(r.diff, null, 1));
  console.log(r2.outcomes.filter(o => o.resource.startsWith('Maint')).map(o => `${o.state} ${o.summary}: ${o.message}`).join('\n'));
  console.log(JSON.stringify(w.account.cloudfront.tags('E2QWRUHAPOMQZL')));
  w.desired.maintenance![0].spec.maintenance = 'off';
  const { result: r3 } = await w.pass();
  for (const r of r3.resources.filter((r) => r.kind === 'Maintenance')) console.log(r.phase, r.reason, r.message);
  console.log(r3.outcomes.filter(o => o.resource.startsWith('Maint')).map(o => `${o.state} ${o.summary}: ${o.message}`).join('\n'));
  console.log(JSON.stringify(w.account.cloudfront.tags('E2QWRUHAPOMQZL')));
});
