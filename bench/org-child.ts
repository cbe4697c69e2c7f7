/**
 * The organisation row in a process of its own: `run.ts` bundles this file and starts it with
 * `node --expose-gc org-child.mjs --environments N --services S --concurrency C --out FILE`. Run
 * once for the organisation and once with one environment and one worker container, whose peak RSS
 * is that of a worker (plus the simulated account and local servers it talks to).
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { runOrganisation } from './organisation.js';

const { values } = parseArgs({
  options: {
    environments: { type: 'string' },
    services: { type: 'string', default: '20' },
    accounts: { type: 'string', default: '3' },
    regions: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '10' },
    latency: { type: 'string', default: '40' },
    out: { type: 'string' },
  },
});
if (!values.environments || !values.out) {
  process.stderr.write('usage: org-child.mjs --environments N --out FILE [--services 20] [--accounts 3] [--regions 2] [--concurrency 10] [--latency MS]\n');
  process.exit(2);
}
const result = await runOrganisation({
  environments: Number(values.environments),
  services: Number(values.services),
  accounts: Number(values.accounts),
  regions: Number(values.regions),
  concurrency: Number(values.concurrency),
  latencyMs: Number(values.latency),
});
await writeFile(values.out, JSON.stringify(result));
