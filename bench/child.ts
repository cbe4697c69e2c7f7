/**
 * One size of the benchmark in a process of its own: `run.ts` bundles this file and starts it
 * with `node --expose-gc child.mjs --size N --latency MS --out FILE`, so each size's
 * peak RSS is its own and no TypeScript loader sits in the measured process.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { runSize } from './scenario.js';

const { values } = parseArgs({
  options: {
    size: { type: 'string' },
    latency: { type: 'string', default: '40' },
    'skip-verify': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
if (!values.size || !values.out) {
  process.stderr.write('usage: child.mjs --size N --out FILE [--latency MS] [--skip-verify]\n');
  process.exit(2);
}
const result = await runSize({
  size: Number(values.size),
  latencyMs: Number(values.latency),
  skipVerify: values['skip-verify'],
});
await writeFile(values.out, JSON.stringify(result));
