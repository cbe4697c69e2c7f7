/** Scratch: live heap at stage boundaries vs sampled peak (not committed). */
import { countCalls } from '../controller/aws/clients.js';
import { createAdapters, runPass } from '../controller/pass.js';
import { buildEnvironment } from '../controller/testing/fleet.js';
import { sampleMemory } from './instrument.js';

const size = Number(process.argv[2] ?? 1000);
const env = buildEnvironment(size, { stepwise: true, rateLimits: true });
env.account.faults.latency({ ms: 40 });
const gc = (globalThis as any).gc as () => void;
const heap = () => { gc(); return process.memoryUsage().heapUsed / 1e6; };
function lambda() {
  const clients = env.account.clients();
  const counter = countCalls(clients);
  const adapters = createAdapters(clients);
  return (where?: object) => runPass({ desired: env.desired, adapters, clock: env.account.clock, calls: counter, wiring: {}, ...(where ? { where } : {}) }).then((r) => r.result);
}
let first: any = lambda();
let r;
do { r = await first(); env.account.clock.advance(60_000); } while (r.resources.some((x: any) => x.reason === 'NextStep'));
r = undefined; first = undefined;
env.account.clock.advance(15 * 60_000);
const h0 = heap();
console.error(`sim+specs heap ${h0.toFixed(1)} MB`);
let warm: any = lambda();
for (const label of ['cold', 'warm0', 'warm1', 'probe']) {
  const before = heap();
  const stages: string[] = [];
  const where = label === 'probe' ? new Proxy({} as any, { set(t, k, v) { stages.push(`${String(k)}=${v}:${(heap() - before).toFixed(1)}`); t[k] = v; return true; } }) : undefined;
  const stop = sampleMemory();
  const start = env.account.clock.now();
  let res: any = await warm(where);
  const peak = stop();
  const after = heap();
  const resultLive = after;
  res = undefined;
  const afterDrop = heap();
  console.error(`${label}: before ${(before - h0).toFixed(1)} sampled peak +${(peak.heapUsed / 1e6 - before).toFixed(1)} after(with result) +${(resultLive - before).toFixed(1)} result ${(resultLive - afterDrop).toFixed(1)} ${stages.join(' ')}`);
  const now = env.account.clock.now();
  env.account.clock.advance(start + Math.max(1, Math.ceil((now - start) / 60_000)) * 60_000 - now);
}
warm = undefined;
console.error(`lambda caches ${(heap() - h0).toFixed(1)} MB (negative: freed)`);
