import { describe, expect, it } from 'vitest';
import type { AlertState } from '../model/alerts.js';
import type { PassResult } from '../model/pass.js';
import { accessDeniedPass, aliasHealedPass, mixedPass, quietPass, scaledToZeroPass, shopPass, scaleApiToZero, T0, unreadablePass } from '../testing/pass-fixtures.js';
import { formatDuration } from './format.js';
import { buildReport } from './model.js';
import { decideNotifications, settleAlerts, type Channel, type DecideOptions, type Notification } from './noise.js';

const HOUR = 3600_000;

/** What a notification says, in one comparable line. */
function line(n: Notification): string {
  const extra = n.timeToHealMs !== undefined ? ` after ${formatDuration(n.timeToHealMs)}` : n.openForMs !== undefined ? ` open ${formatDuration(n.openForMs)}` : '';
  return `${n.kind} ${n.resource}${extra} -> ${n.channels.join(',')}`;
}

/** An environment's alert memory across passes, as the notifier keeps it. */
function environment(options: Partial<DecideOptions> = {}) {
  let alerts: AlertState[] = [];
  return {
    get alerts() {
      return alerts;
    },
    /** Runs noise control for a pass at `now`; `failed` channels do not take their messages. */
    pass(result: PassResult, now: number, failed: Channel[] = []): string[] {
      const report = buildReport(result, { alerts });
      const decision = decideNotifications(report, alerts, { now, channels: ['slack'], ...options });
      const { upserts, removed } = settleAlerts(decision, failed, alerts);
      const next = new Map(alerts.map((a) => [a.key, a]));
      for (const u of upserts) next.set(u.key, u);
      for (const k of removed) next.delete(k);
      alerts = [...next.values()];
      return decision.notifications.map(line);
    },
  };
}

const at = (hours: number) => T0 + hours * HOUR;
const observing = (hours: number) => scaledToZeroPass({ mode: 'observe', at: at(hours) });

describe('decideNotifications over a sequence of passes', () => {
  it('announces a drift once, stays quiet while it lasts, reminds after 25 hours and announces the heal with its time-to-heal', () => {
    const env = environment();

    expect(env.pass(observing(0), at(0))).toEqual(['detected Service/api -> slack']);
    expect(env.pass(observing(0.1), at(0.1))).toEqual([]);
    expect(env.pass(observing(12), at(12))).toEqual([]);
    expect(env.pass(observing(25), at(25))).toEqual(['reminder Service/api open 1d 1h -> slack']);
    expect(env.pass(observing(26), at(26))).toEqual([]);
    expect(env.pass(shopPass(scaleApiToZero, { at: at(30) }), at(30))).toEqual(['healed Service/api after 1d 6h -> slack']);
    expect(env.pass(quietPass({ at: at(31) }), at(31))).toEqual([]);
    expect(env.alerts).toEqual([]);
  });

  it('reminds at the configured interval', () => {
    const env = environment({ remindEveryHours: 4 });

    env.pass(observing(0), at(0));

    expect(env.pass(observing(3), at(3))).toEqual([]);
    expect(env.pass(observing(4), at(4))).toEqual(['reminder Service/api open 4h 00m -> slack']);
    expect(env.pass(observing(7), at(7))).toEqual([]);
    expect(env.pass(observing(8), at(8))).toEqual(['reminder Service/api open 8h 00m -> slack']);
  });

  it('sends one message for a drift seen and healed within one pass, and remembers nothing', () => {
    const env = environment();

    expect(env.pass(aliasHealedPass(), at(0))).toEqual(['healed AliasRecord/api-dns after 12s -> slack']);
    expect(env.alerts).toEqual([]);
    expect(env.pass(quietPass({ at: at(1) }), at(1))).toEqual([]);
  });

  it('sends nothing for a quiet pass', () => {
    const env = environment();
    const report = buildReport(quietPass());

    const decision = decideNotifications(report, [], { now: T0, channels: ['slack', 'email'] });

    expect(decision).toEqual({ notifications: [], changes: [], upserts: [], removed: [] });
    expect(env.pass(quietPass(), at(0))).toEqual([]);
  });

  it('announces failures and blocked rollouts, most urgent first', () => {
    const env = environment();

    expect(env.pass(mixedPass(), at(0))).toEqual([
      'failed Migration/db-migrate -> slack',
      'blocked Service/api -> slack',
      'healed AliasRecord/api-dns after 12s -> slack',
    ]);
    expect(env.pass(mixedPass({ at: at(1) }), at(1))).toEqual(['healed AliasRecord/api-dns after 12s -> slack']);
  });

  it('announces a drift whose healing failed as a failure that keeps the time the drift was first seen', () => {
    const env = environment();

    env.pass(observing(0), at(0));
    expect(env.pass(accessDeniedPass({ at: at(2) }), at(2))).toEqual(['failed Service/api -> slack']);
    expect(env.alerts).toMatchObject([{ key: 'Service/api#failed#AccessDeniedException', kind: 'failure', firstSeenAt: at(0) }]);
    expect(env.pass(shopPass(scaleApiToZero, { at: at(3) }), at(3))).toEqual(['healed Service/api after 3h 00m -> slack']);
  });

  it('says nothing more while a change steady started is still rolling out, then announces the heal', () => {
    const env = environment();
    const rolling = { 'Service/api': { phase: 'Progressing' as const, reason: 'RolloutInProgress', message: 'rolling out shop-api:8: 1 of 2 tasks running' } };

    expect(env.pass(shopPass(scaleApiToZero, { outcomes: { 'update:Service/api': { state: 'pending' } }, after: rolling }), at(0))).toEqual([
      'detected Service/api -> slack',
    ]);
    expect(env.pass(quietPass({ at: at(0.1), after: rolling }), at(0.1))).toEqual([]);
    expect(env.pass(quietPass({ at: at(0.2) }), at(0.2))).toEqual(['healed Service/api after 12m 00s -> slack']);
  });

  it('does not announce a rollout in progress again when its diff reads differently', () => {
    const env = environment();
    env.pass(observing(0), at(0));
    const rolling = shopPass(scaleApiToZero, {
      at: at(1),
      outcomes: { 'update:Service/api': { state: 'pending' } },
      after: { 'Service/api': { phase: 'Progressing', reason: 'RolloutInProgress', message: 'scaling to 2', diff: [{ path: 'runningCount', before: '0', after: '2' }] } },
    });
    rolling.drift = [];
    rolling.plan!.resources.find((r) => r.resource === 'Service/api')!.diff = [{ path: 'runningCount', before: '0', after: '2' }];

    expect(env.pass(rolling, at(1))).toEqual([]);
    expect(env.alerts).toMatchObject([{ resource: 'Service/api', firstSeenAt: at(0) }]);
  });

  it('does not announce a rollout someone else started', () => {
    const env = environment();
    const rolling = { 'Service/api': { phase: 'Progressing' as const, reason: 'RolloutInProgress', message: 'rolling out' } };

    expect(env.pass(quietPass({ after: rolling }), at(0))).toEqual([]);
  });

  it('drops the alert of a resource removed from the specs without a message', () => {
    const env = environment();
    env.pass(observing(0), at(0));
    const withoutApi = quietPass({ at: at(1) });
    withoutApi.plan!.resources = withoutApi.plan!.resources.filter((r) => r.resource !== 'Service/api');
    withoutApi.resources = withoutApi.resources.filter((r) => r.resource !== 'Service/api');

    expect(env.pass(withoutApi, at(1))).toEqual([]);
    expect(env.alerts).toEqual([]);
  });

  it('announces a failed pass once, leaves the resources alerts alone and says when passes work again', () => {
    const env = environment();
    env.pass(observing(0), at(0));
    const failedPass = (h: number): PassResult => ({ ...quietPass({ at: at(h) }), plan: undefined, resources: [], drift: [], outcome: 'failed', error: 'observing cluster shop-prod: AccessDeniedException: no' });

    expect(env.pass(failedPass(1), at(1))).toEqual(['failed Environment/shop-prod -> slack']);
    expect(env.pass(failedPass(2), at(2))).toEqual([]);
    expect(env.pass(observing(3), at(3))).toEqual(['healed Environment/shop-prod after 2h 00m -> slack']);
    expect(env.alerts.map((a) => a.resource)).toEqual(['Service/api']);
  });
});

describe('settleAlerts', () => {
  it('keeps an announcement whose delivery failed owed, and sends it on the next pass', () => {
    const env = environment();

    expect(env.pass(observing(0), at(0), ['slack'])).toEqual(['detected Service/api -> slack']);
    expect(env.alerts).toMatchObject([{ resource: 'Service/api', notifications: 0 }]);
    expect(env.alerts[0].lastNotifiedAt).toBeUndefined();
    expect(env.pass(observing(0.1), at(0.1))).toEqual(['detected Service/api -> slack']);
    expect(env.pass(observing(0.2), at(0.2))).toEqual([]);
  });

  it('keeps a healed message whose delivery failed owed, with its time-to-heal', () => {
    const env = environment();
    env.pass(observing(0), at(0));

    expect(env.pass(shopPass(scaleApiToZero, { at: at(2) }), at(2), ['slack'])).toEqual(['healed Service/api after 2h 00m -> slack']);
    expect(env.alerts).toMatchObject([{ resource: 'Service/api', pending: 'healed', healedAt: at(2) + 12_000 }]);
    expect(env.pass(quietPass({ at: at(3) }), at(3))).toEqual(['healed Service/api after 2h 00m -> slack']);
    expect(env.pass(quietPass({ at: at(4) }), at(4))).toEqual([]);
    expect(env.alerts).toEqual([]);
  });

  it('owes a message only to the channel that did not take it', () => {
    const env = environment({ channels: ['slack', 'email'] });

    expect(env.pass(observing(0), at(0), ['email'])).toEqual(['detected Service/api -> slack,email']);
    expect(env.alerts[0].owedTo).toEqual(['email']);
    expect(env.pass(observing(0.1), at(0.1))).toEqual(['detected Service/api -> email']);
    expect(env.alerts[0].owedTo).toBeUndefined();
    expect(env.pass(observing(0.2), at(0.2))).toEqual([]);
  });

  it('reminds again next pass when a reminder could not be delivered', () => {
    const env = environment();
    env.pass(observing(0), at(0));

    expect(env.pass(observing(25), at(25), ['slack'])).toEqual(['reminder Service/api open 1d 1h -> slack']);
    expect(env.pass(observing(25.1), at(25.1))).toEqual(['reminder Service/api open 1d 1h -> slack']);
    expect(env.pass(observing(25.2), at(25.2))).toEqual([]);
  });

  it('still delivers an owed heal when the same drift is back, then announces it again', () => {
    const env = environment();
    env.pass(observing(0), at(0));
    env.pass(shopPass(scaleApiToZero, { at: at(1) }), at(1), ['slack']);

    expect(env.pass(observing(2), at(2))).toEqual(['detected Service/api -> slack', 'healed Service/api after 1h 00m -> slack']);
    expect(env.alerts).toMatchObject([{ resource: 'Service/api', kind: 'drift', firstSeenAt: at(2), notifications: 1 }]);
    expect(env.alerts[0].pending).toBeUndefined();
  });

  it('writes nothing when nothing changed', () => {
    const env = environment();
    env.pass(observing(0), at(0));
    const report = buildReport(observing(1), { alerts: env.alerts });

    const decision = decideNotifications(report, env.alerts, { now: at(1), channels: ['slack'] });

    expect(settleAlerts(decision, [], env.alerts)).toEqual({ upserts: [], removed: [] });
  });
});

describe('daily digest', () => {
  it('is off by default', () => {
    expect(environment().pass(quietPass(), at(0))).toEqual([]);
  });

  it('owes the digest only to the channel that did not take it', () => {
    const env = environment({ dailyDigest: true, channels: ['slack', 'email'] });

    expect(env.pass(quietPass(), at(0), ['email'])).toEqual(['digest Environment/shop-prod -> slack,email']);
    expect(env.pass(quietPass({ at: at(1) }), at(1))).toEqual(['digest Environment/shop-prod -> email']);
    expect(env.pass(quietPass({ at: at(2) }), at(2))).toEqual([]);
    expect(env.pass(quietPass({ at: at(24) }), at(24))).toEqual(['digest Environment/shop-prod -> slack,email']);
  });

  it('goes out on the first pass of each UTC day, listing what is still open', () => {
    const env = environment({ dailyDigest: true });
    const report = () => buildReport(observing(1), { alerts: env.alerts });

    expect(env.pass(observing(0), at(0))).toEqual(['detected Service/api -> slack', 'digest Environment/shop-prod -> slack']);
    expect(env.pass(observing(1), at(1))).toEqual([]);
    const next = decideNotifications(report(), env.alerts, { now: at(15), channels: ['slack'], dailyDigest: true });
    expect(next.notifications.map(line)).toEqual(['digest Environment/shop-prod -> slack']);
    expect(next.notifications[0].digest).toEqual({
      open: [{ resource: 'Service/api', alertKind: 'drift', summary: 'desiredCount: 0 -> 2', firstSeenAt: at(0), openForMs: 15 * HOUR }],
      resources: 3,
      inSync: 2,
    });
  });
});

describe('AWS that cannot be read', () => {
  it('is one alert for the environment, said once, not one per resource, and resolved when AWS answers again', () => {
    const env = environment();

    expect(env.pass(unreadablePass({ at: at(0) }), at(0))).toEqual(['failed Environment/shop-prod -> slack']);
    expect(env.alerts.map((a) => a.summary)).toEqual([
      "AWS could not be read: no credentials were found (the SDK's default chain: environment, shared config, SSO, instance role)",
    ]);
    expect(env.pass(unreadablePass({ at: at(1) }), at(1))).toEqual([]);
    expect(env.pass(quietPass({ at: at(2) }), at(2))).toEqual(['healed Environment/shop-prod after 2h 00m -> slack']);
  });
});
