import { describe, expect, it } from 'vitest';
import type { AutomaticState } from '../model/maintenance.js';
import type { ResourceStatus } from '../model/plan.js';
import type { MaintenanceAutomaticSpec } from '../spec/schema.js';
import { maintenanceSchema } from '../spec/schema.js';
import { chainVerdict, decideAutomatic, watchedServices, type ChainVerdict } from './maintenance-auto.js';

const SETTINGS: MaintenanceAutomaticSpec = { brokenPasses: 3, readyPasses: 2, minOnMinutes: 10, minOffMinutes: 30, maxPerHour: 2 };
const MIN = 60_000;
const broken: ChainVerdict = { service: 'api', state: 'broken', detail: 'api: targets NoHealthyTargets' };
const ready: ChainVerdict = { service: 'api', state: 'ready' };
const changing: ChainVerdict = { service: 'api', state: 'changing' };

/** Runs passes one minute apart; returns what each decided. */
function run(verdicts: ChainVerdict[], options: { start?: AutomaticState; otherwiseOn?: boolean; t0?: number } = {}) {
  let state = options.start;
  let now = options.t0 ?? 0;
  return verdicts.map((v) => {
    const d = decideAutomatic(SETTINGS, state, [v], options.otherwiseOn ?? false, now);
    state = d.state;
    now += MIN;
    return d;
  });
}

describe('the automatic mode', () => {
  it('switches on after N broken passes in a row, and says what it saw', () => {
    const decisions = run([broken, broken, broken]);

    expect(decisions.map((d) => d.switched)).toEqual([undefined, undefined, 'on']);
    expect(decisions[2].why).toBe('the chain has been broken for 3 passes (api: targets NoHealthyTargets)');
    expect(decisions[2].state).toMatchObject({ active: true, since: 2 * MIN, switchesOn: [2 * MIN], lastSwitchAt: 2 * MIN });
  });

  it('does not count passes while a rollout steady started is under way, nor unknown ones', () => {
    expect(run([broken, changing, broken, { service: 'api', state: 'unknown' }, broken]).map((d) => d.switched)).toEqual([undefined, undefined, undefined, undefined, 'on']);
    expect(run([broken, broken, ready, broken, broken]).map((d) => d.switched)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('does not switch when maintenance is on anyway (by spec or command)', () => {
    expect(run([broken, broken, broken, broken], { otherwiseOn: true }).map((d) => d.switched)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('switches off after M Ready passes, but not before it has been on minOnMinutes', () => {
    const on: AutomaticState = { active: true, since: 0, brokenPasses: 0, readyPasses: 0, switchesOn: [0], lastSwitchAt: 0 };

    const early = run([ready, ready, ready], { start: on, t0: 2 * MIN });
    expect(early.map((d) => d.switched)).toEqual([undefined, undefined, undefined]);
    expect(early[1].why).toBe('the chain has been Ready for 2 passes, but maintenance went on 3 minutes ago and stays on at least 10 minutes');

    const later = run([ready, ready], { start: on, t0: 12 * MIN });
    expect(later.map((d) => d.switched)).toEqual([undefined, 'off']);
    expect(later[1].state).toEqual({ active: false, brokenPasses: 0, readyPasses: 2, switchesOn: [0], lastSwitchAt: 13 * MIN });
  });

  it('holds off for minOffMinutes after switching off, however broken the chain', () => {
    const off: AutomaticState = { active: false, brokenPasses: 0, readyPasses: 5, switchesOn: [0], lastSwitchAt: 15 * MIN };

    const decisions = run(Array(40).fill(broken), { start: off, t0: 16 * MIN });

    const first = decisions.findIndex((d) => d.switched === 'on');
    expect(16 + first).toBe(45);
    expect(decisions[3].why).toBe('the chain has been broken for 4 passes, but maintenance went off 4 minutes ago and stays off at least 30 minutes');
  });

  it('switches on at most maxPerHour times an hour: never flaps', () => {
    const cycles: string[] = [];
    let state: AutomaticState | undefined;
    // The chain breaks and mends every few minutes for two hours, with short holds.
    const settings = { ...SETTINGS, minOnMinutes: 0, minOffMinutes: 0, brokenPasses: 1, readyPasses: 1 };
    for (let t = 0; t < 120; t++) {
      const d = decideAutomatic(settings, state, [t % 4 < 2 ? broken : ready], false, t * MIN);
      state = d.state;
      if (d.switched) cycles.push(`${t}:${d.switched}`);
    }

    const ons = cycles.filter((c) => c.endsWith(':on')).map((c) => Number(c.split(':')[0]));
    for (const t of ons) expect(ons.filter((u) => u > t - 60 && u <= t).length).toBeLessThanOrEqual(2);
    expect(ons.length).toBeGreaterThan(2);
  });
});

describe('a watched chain\'s verdict', () => {
  const wiring = (links: { name: string; status: string; reason?: string }[], phase: ResourceStatus['phase'] = 'Failed'): ResourceStatus => ({
    resource: 'Wiring/api',
    kind: 'Wiring',
    name: 'api',
    phase,
    reason: 'x',
    message: 'x',
    diff: [],
    specHash: 'h',
    wiring: { names: [], links: links.map((l) => ({ ...l, ok: l.status === 'ok', summary: '', evidence: {} })), checkedAt: 0 },
  });

  it('is broken at the first broken link, changing while steady rolls out, ready when every link holds', () => {
    expect(chainVerdict('api', [wiring([{ name: 'alias', status: 'ok' }, { name: 'targets', status: 'broken', reason: 'NoHealthyTargets' }])])).toEqual({ service: 'api', state: 'broken', detail: 'api: targets NoHealthyTargets' });
    expect(chainVerdict('api', [wiring([{ name: 'deployment', status: 'broken' }], 'Progressing')]).state).toBe('changing');
    expect(chainVerdict('api', [wiring([{ name: 'alias', status: 'ok' }, { name: 'probe', status: 'skipped' }], 'Synced')]).state).toBe('ready');
    expect(chainVerdict('api', []).state).toBe('unknown');
  });
  it('is unknown when a link could not be checked, and changing while the Service rolls out, whatever the chain says', () => {
    expect(chainVerdict('api', [wiring([{ name: 'alias', status: 'ok' }, { name: 'targets', status: 'unknown' }], 'Blocked')]).state).toBe('unknown');
    const rolling: ResourceStatus = { ...wiring([]), resource: 'Service/api', kind: 'Service', phase: 'Progressing', wiring: undefined };
    expect(chainVerdict('api', [wiring([{ name: 'targets', status: 'broken' }]), rolling]).state).toBe('changing');
    expect(chainVerdict('api', [{ ...rolling, phase: 'Synced' }]).state).toBe('unknown');
    expect(chainVerdict('api', [wiring([{ name: 'targets', status: 'broken' }])])).toEqual({ service: 'api', state: 'broken', detail: 'api: targets broken' });
  });
});

describe('the Services a Maintenance watches', () => {
  const doc = (spec: Record<string, unknown>) =>
    maintenanceSchema.parse({ apiVersion: 'steady.dev/v1alpha1', kind: 'Maintenance', metadata: { name: 'm', environment: 'shop-prod' }, spec: { cloudFront: { distribution: 'E2EXAMPLE', origin: 'o' }, ...spec } });
  const chain = (name: string, loadBalancer?: string): ResourceStatus => ({
    resource: `Wiring/${name}`,
    kind: 'Wiring',
    name,
    phase: 'Synced',
    reason: 'x',
    message: 'x',
    diff: [],
    specHash: 'h',
    wiring: { names: [], ...(loadBalancer ? { loadBalancer } : {}), links: [], checkedAt: 0 },
  });
  const statuses = [chain('api', 'shop-api-alb'), chain('web', 'shop-web-alb'), chain('worker'), { ...chain('gone'), wiring: undefined }, { ...chain('svc'), kind: 'Service' as const }];

  it("the spec's list, else the chains behind its load balancer, else every Service with a chain", () => {
    expect(watchedServices(doc({ automatic: { services: ['web'] } }), statuses)).toEqual(['web']);
    expect(watchedServices(doc({ loadBalancer: { name: 'shop-api-alb', listener: { port: 443 } } }), statuses)).toEqual(['api']);
    expect(watchedServices(doc({ loadBalancer: { name: 'other-alb', listener: { port: 443 } } }), statuses)).toEqual(['api', 'web', 'worker']);
    expect(watchedServices(doc({}), statuses)).toEqual(['api', 'web', 'worker']);
  });
});
