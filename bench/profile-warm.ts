/** Scratch: profile steady's warm passes at one size (not committed). */
import { Session } from 'node:inspector/promises';
import { writeFile } from 'node:fs/promises';
import { countCalls } from '../controller/aws/clients.js';
import { createAdapters, runPass } from '../controller/pass.js';
import { buildEnvironment } from '../controller/testing/fleet.js';
import { Instruments } from './instrument.js';

const size = Number(process.argv[2] ?? 1000);
const warmN = Number(process.argv[3] ?? 3);
const out = process.argv[4] ?? `/tmp/i16/warm-${size}.cpuprofile`;
const t0 = performance.now();
const env = buildEnvironment(size, { stepwise: true, rateLimits: true });
env.account.faults.latency({ ms: 40 });
function lambda() {
  const clients = env.account.clients();
  const counter = countCalls(clients);
  const adapters = createAdapters(clients);
  return { clients, pass: async () => (await runPass({ desired: env.desired, adapters, clock: env.account.clock, calls: counter, wiring: {} })).result };
}
const first = lambda();
const instruments = new Instruments(env.account, first.clients);
let r;
do { r = await first.pass(); env.account.clock.advance(60_000); } while (r.resources.some((x) => x.reason === 'NextStep'));
console.error(`setup+first ${(performance.now() - t0) / 1000}s`);
env.account.clock.advance(15 * 60_000);
const warm = lambda();
instruments.watch(warm.clients);
const gc = (globalThis as any).gc;
for (const label of ['cold', ...Array.from({ length: warmN }, (_, i) => `warm${i}`)]) {
  let prof: Session | undefined;
  if (label === 'warm1') { prof = new Session(); prof.connect(); await prof.post('Profiler.enable'); await prof.post('Profiler.setSamplingInterval', { interval: 500 }); await prof.post('Profiler.start'); }
  gc?.();
  const h0 = process.memoryUsage().heapUsed;
  const sim0 = instruments.simCpuMs; const c0 = process.cpuUsage(); const w0 = performance.now();
  const start = env.account.clock.now();
  const res = await warm.pass();
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1000;
  const sim = instruments.simCpuMs - sim0;
  console.error(`${label}: cpu ${cpu.toFixed(0)} sim ${sim.toFixed(0)} steady ${(cpu - sim).toFixed(0)} ms wall ${(performance.now() - w0).toFixed(0)} simtime ${(res.finishedAt - res.startedAt) / 1000}s calls ${Object.values(res.apiCalls).reduce((a: number, b: any) => a + b, 0)} heap ${(h0 / 1e6).toFixed(0)}MB`);
  if (prof) { const { profile } = await prof.post('Profiler.stop'); await writeFile(out, JSON.stringify(profile)); prof.disconnect(); }
  const now = env.account.clock.now();
  env.account.clock.advance(start + Math.max(1, Math.ceil((now - start) / 60_000)) * 60_000 - now);
}
