/**
 * One size of the benchmark in a process of its own: `run.ts` bundles this file and starts it
 * with `node --expose-gc child.mjs --size N --latency MS --route53-rps N --out FILE`, so each size's
 * peak RSS is its own and no TypeScript loader sits in the measured process.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { runSize } from './scenario.js';

const { values } = parseArgs({
  options: {
    size: { type: 'string' },
    latency: { type: 'string', default: '40' },
    'route53-rps': { type: 'string', default: '5' },
    'skip-verify': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
if (!values.size || !values.out) {
  process.stderr.write('usage: child.mjs --size N --out FILE [--latency MS] [--route53-rps N] [--skip-verify]\n');
  process.exit(2);
}
const result = await runSize({
  size: Number(values.size),
  latencyMs: Number(values.latency),
  route53PerSecond: Number(values['route53-rps']),
  skipVerify: values['skip-verify'],
});
await writeFile(values.out, JSON.stringify(result));
