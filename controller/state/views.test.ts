import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import type { DriftRecord, PassRecord, StoredStatus } from './records.js';
import type { MaintenanceEvent } from '../model/maintenance.js';
import { formatAge, formatDuration, historyJson, historyView, maintenanceSwitch, parseSince, renderHistory, renderStatus, statusJson, statusRows } from './views.js';

const NOW = Date.UTC(2026, 0, 2, 12, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;

function status(environment: string, resource: string, phase: StoredStatus['phase'], reason: string, message: string, sinceMs: number, extra: Partial<StoredStatus> = {}): StoredStatus {
  const [kind, name] = resource.split('/') as [StoredStatus['kind'], string];
  return {
    environment,
    resource,
    kind,
    name,
    phase,
    reason,
    message,
    diff: [],
    specHash: 'abc123',
    lastTransitionTime: NOW - sinceMs,
    passId: `${environment}/p9`,
    updatedAt: NOW - MIN,
    ...extra,
  };
}

const STATUSES: StoredStatus[] = [
  status('shop-prod', 'Service/api', 'Failed', 'UpdateFailed', 'AccessDeniedException on UpdateService', 3 * MIN, {
    lastError: { message: 'not authorized to perform ecs:UpdateService', awsName: 'AccessDeniedException', what: 'update service api', at: NOW - 2 * MIN, passId: 'p9' },
  }),
  status('shop-prod', 'AliasRecord/api-dns', 'Synced', 'UpToDate', 'api.example.com points at shop-api-alb', 2 * 24 * HOUR),
  status('shop-prod', 'Migration/db-migrate', 'Synced', 'Succeeded', 'version 1a2b ran', 5 * HOUR),
];

describe('renderStatus', () => {
  it('lists every resource aligned like kubectl, migrations first, with the age of its phase and the last error of a failing one', () => {
    expect(renderStatus(STATUSES, { now: NOW, color: false })).toBe(
      [
        'RESOURCE              PHASE   REASON        SINCE   MESSAGE',
        'Migration/db-migrate  Synced  Succeeded     5h ago  version 1a2b ran',
        'Service/api           Failed  UpdateFailed  3m ago  AccessDeniedException on UpdateService',
        '    last error 2m ago: update service api: not authorized to perform ecs:UpdateService',
        'AliasRecord/api-dns   Synced  UpToDate      2d ago  api.example.com points at shop-api-alb',
      ].join('\n'),
    );
  });

  it('adds an ENVIRONMENT column when several environments are shown', () => {
    const text = renderStatus([...STATUSES, status('messaging-prod', 'Service/worker', 'Drifted', 'CountDiffers', 'runs 1 task, spec says 2', 45_000)], { now: NOW, color: false });

    expect(text.split('\n').slice(0, 2)).toEqual([
      'ENVIRONMENT     RESOURCE              PHASE    REASON        SINCE    MESSAGE',
      'messaging-prod  Service/worker        Drifted  CountDiffers  45s ago  runs 1 task, spec says 2',
    ]);
  });

  it('colours phases only when asked', () => {
    const colored = renderStatus(STATUSES, { now: NOW, color: true });

    expect(colored).toContain('\u001b[31mFailed');
    expect(colored).toContain('\u001b[32mSynced');
    expect(renderStatus(STATUSES, { now: NOW, color: false })).not.toContain('\u001b[');
  });

  it('says so when nothing was recorded', () => {
    expect(renderStatus([], { now: NOW, color: false })).toBe('No status recorded yet: no pass has saved its results to the state table.');
  });

  it('gives the same rows as JSON-able data', () => {
    const [first] = statusRows(STATUSES, NOW);

    expect(JSON.parse(JSON.stringify(first))).toEqual({
      environment: 'shop-prod',
      resource: 'Migration/db-migrate',
      kind: 'Migration',
      name: 'db-migrate',
      phase: 'Synced',
      reason: 'Succeeded',
      message: 'version 1a2b ran',
      since: '2026-01-02T07:00:00.000Z',
      age: '5h ago',
      specHash: 'abc123',
      diff: [],
      passId: 'shop-prod/p9',
      updatedAt: '2026-01-02T11:59:00.000Z',
    });
  });
});

const PASSES: PassRecord[] = [
  {
    passId: 'shop-prod/p1',
    environment: 'shop-prod',
    specVersion: 'c0ffee',
    startedAt: NOW - 2 * HOUR,
    finishedAt: NOW - 2 * HOUR + 20_000,
    durationMs: 20_000,
    mode: 'enforce',
    dryRun: false,
    outcome: 'ok',
    verdict: 'failed',
    actions: { planned: 3, done: 2, failed: 1, blocked: 0, held: 0, pending: 0 },
    apiCalls: { 'ecs:DescribeServices': 2, 'ecs:UpdateService': 1 },
    apiCallCount: 3,
    phases: { Synced: 2, Drifted: 0, Progressing: 0, Blocked: 0, Failed: 1 },
    drift: { detected: 1, healed: 1 },
    failures: [{ resource: 'AliasRecord/api-dns', summary: 'upsert api.example.com', message: 'InvalidChangeBatch: no such target' }],
  },
  {
    passId: 'shop-prod/p2',
    environment: 'shop-prod',
    startedAt: NOW - 5 * MIN,
    finishedAt: NOW - 5 * MIN + 800,
    durationMs: 800,
    mode: 'enforce',
    dryRun: false,
    outcome: 'skipped',
    error: 'lease for environment shop-prod is held by shop-prod/p1b until 2026-01-02T12:00:00.000Z',
    actions: { planned: 0, done: 0, failed: 0, blocked: 0, held: 0, pending: 0 },
    apiCalls: {},
    apiCallCount: 0,
    phases: { Synced: 0, Drifted: 0, Progressing: 0, Blocked: 0, Failed: 0 },
    drift: { detected: 0, healed: 0 },
    failures: [],
  },
];

const DRIFT: DriftRecord[] = [
  {
    environment: 'shop-prod',
    resource: 'Service/api',
    key: 'Service/api#td',
    summary: 'service api runs shop-api:6, spec wants shop-api:7',
    diff: [],
    detectedAt: NOW - 3 * HOUR,
    detectedBy: 'p0',
    lastSeenAt: NOW - 2 * HOUR,
    healedAt: NOW - 2 * HOUR + 15_000,
    timeToHealMs: HOUR + 15_000,
    resolution: 'healed',
    healedBy: 'p1',
  },
  {
    environment: 'shop-prod',
    resource: 'AliasRecord/api-dns',
    key: 'AliasRecord/api-dns#target',
    summary: 'api.example.com points at a deleted load balancer',
    diff: [],
    detectedAt: NOW - 10 * MIN,
    detectedBy: 'p2',
    lastSeenAt: NOW - 10 * MIN,
  },
];

describe('renderHistory', () => {
  it('lists passes with their verdict and drift newest first, with durations, action counts and time to heal', () => {
    expect(renderHistory(PASSES, DRIFT, { now: NOW, color: false })).toBe(
      [
        'Passes (2)',
        'STARTED  ENVIRONMENT  VERDICT  DURATION  ACTIONS                      DRIFT             API CALLS  SPEC',
        '5m ago   shop-prod    skipped  800ms     none                         -                 0          -',
        '    lease for environment shop-prod is held by shop-prod/p1b until 2026-01-02T12:00:00.000Z',
        '2h ago   shop-prod    failed   20s       3 planned: 2 done, 1 failed  1 seen, 1 healed  3          c0ffee',
        '    failed: upsert api.example.com: InvalidChangeBatch: no such target',
        '',
        'Drift (2)',
        'DETECTED  ENVIRONMENT  RESOURCE             HEALED         TIME TO HEAL  SUMMARY',
        '10m ago   shop-prod    AliasRecord/api-dns  open           -             api.example.com points at a deleted load balancer',
        '3h ago    shop-prod    Service/api          healed 1h ago  1h            service api runs shop-api:6, spec wants shop-api:7',
      ].join('\n'),
    );
  });

  it('says when a window holds nothing', () => {
    expect(renderHistory([], [], { now: NOW, color: false })).toBe(['Passes (0)', '  none in this window', '', 'Drift (0)', '  none in this window'].join('\n'));
  });

  it('gives the same rows as JSON-able data', () => {
    const view = historyView(PASSES, DRIFT, NOW);

    expect(view.passes.map((p) => [p.passId, p.duration, p.age])).toEqual([
      ['shop-prod/p2', '800ms', '5m ago'],
      ['shop-prod/p1', '20s', '2h ago'],
    ]);
    expect(view.drift[1]).toMatchObject({ resolution: 'healed', healedAt: '2026-01-02T10:00:15.000Z', timeToHealMs: HOUR + 15_000, timeToHeal: '1h' });
    expect(view.drift[0]).toMatchObject({ resolution: 'open' });
    expect(view.drift[0]).not.toHaveProperty('healedAt');
  });
});

describe('formatting times', () => {
  it.each([
    [0, '0s'],
    [59_999, '59s'],
    [60_000, '1m'],
    [3 * HOUR, '3h'],
    [47 * HOUR, '47h'],
    [48 * HOUR, '2d'],
    [-5_000, '0s'],
  ])('shows an age of %i ms as %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });

  it.each([
    [850, '850ms'],
    [20_000, '20s'],
    [130_000, '2m 10s'],
    [HOUR + 5 * MIN, '1h 5m'],
    [3 * 24 * HOUR + 4 * HOUR, '3d 4h'],
  ])('shows a duration of %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('parseSince', () => {
  it.each([
    ['24h', NOW - 24 * HOUR],
    ['90m', NOW - 90 * MIN],
    ['7d', NOW - 7 * 24 * HOUR],
    ['2w', NOW - 14 * 24 * HOUR],
    ['30s', NOW - 30_000],
    ['2026-01-01', Date.UTC(2026, 0, 1)],
    ['2026-01-01T09:30:00Z', Date.UTC(2026, 0, 1, 9, 30)],
    ['2026-01-01T09:30', Date.UTC(2026, 0, 1, 9, 30)],
    ['2026-01-01T18:30:00+09:00', Date.UTC(2026, 0, 1, 9, 30)],
  ])('reads %s', (text, at) => {
    expect(parseSince(text, NOW)).toBe(at);
  });

  it.each([
    ['yesterday', '--since: expected a duration such as 90m, 24h or 7d, or an ISO date such as 2026-01-01T00:00:00Z; got "yesterday"'],
    ['24', '--since: expected a duration such as 90m, 24h or 7d, or an ISO date such as 2026-01-01T00:00:00Z; got "24"'],
    ['0h', '--since: a duration must be more than zero; got "0h"'],
    ['2026-13-45', '--since: "2026-13-45" is not a valid date'],
    ['2027-01-01', '--since: 2027-01-01T00:00:00.000Z is in the future'],
  ])('refuses %s with a ConfigError saying what it expects', (text, message) => {
    expect(() => parseSince(text, NOW)).toThrow(ConfigError);
    expect(() => parseSince(text, NOW)).toThrow(message);
  });
});

describe('status as JSON', () => {
  it('has ISO times and no "ago" strings, an AWS name only when there is one, notes only when there are some, and the maintenance state', () => {
    const statuses = [
      status('shop-prod', 'Service/api', 'Failed', 'UpdateFailed', 'refused', 3 * MIN, { lastError: { message: 'boom', what: 'update service api', at: NOW - 2 * MIN, passId: 'p9' }, notes: [] }),
      status('shop-prod', 'Maintenance/page', 'Synced', 'On', 'maintenance page is on', HOUR, {
        notes: ['switched by command'],
        maintenance: { state: 'on', source: 'command', since: NOW - HOUR, by: 'ana', reason: 'db upgrade', until: NOW + HOUR },
      }),
      status('shop-prod', 'Maintenance/off', 'Synced', 'Off', 'off', HOUR, { maintenance: { state: 'off' } }),
    ];

    const rows = statusJson(statuses, NOW);

    expect(rows.map((r) => r.resource)).toEqual(['Service/api', 'Maintenance/off', 'Maintenance/page']);
    expect(rows[0]).toEqual({
      environment: 'shop-prod',
      resource: 'Service/api',
      kind: 'Service',
      name: 'api',
      phase: 'Failed',
      reason: 'UpdateFailed',
      message: 'refused',
      since: '2026-01-02T11:57:00.000Z',
      specHash: 'abc123',
      diff: [],
      lastError: { message: 'boom', what: 'update service api', at: '2026-01-02T11:58:00.000Z' },
      passId: 'shop-prod/p9',
      updatedAt: '2026-01-02T11:59:00.000Z',
    });
    expect(rows[1]).toMatchObject({ maintenance: { state: 'off' } });
    expect(Object.keys(rows[1].maintenance!)).toEqual(['state']);
    expect(rows[2]).toMatchObject({
      notes: ['switched by command'],
      maintenance: { state: 'on', source: 'command', since: '2026-01-02T11:00:00.000Z', by: 'ana', reason: 'db upgrade', until: '2026-01-02T13:00:00.000Z' },
    });
    expect(statusJson([STATUSES[0]], NOW)[0].lastError).toEqual({ message: 'not authorized to perform ecs:UpdateService', awsName: 'AccessDeniedException', what: 'update service api', at: '2026-01-02T11:58:00.000Z' });
    expect(statusJson([STATUSES[1]], NOW)[0]).not.toHaveProperty('lastError');
  });

  it('sorts by environment, then migrations, services, scheduled tasks, aliases, maintenance and wiring, each by name', () => {
    const rows = statusRows(
      [
        status('b', 'Wiring/api', 'Synced', 'UpToDate', '', MIN),
        status('b', 'Maintenance/page', 'Synced', 'UpToDate', '', MIN),
        status('b', 'AliasRecord/api', 'Synced', 'UpToDate', '', MIN),
        status('b', 'ScheduledTask/report', 'Synced', 'UpToDate', '', MIN),
        status('b', 'Service/web', 'Synced', 'UpToDate', '', MIN),
        status('b', 'Service/api', 'Synced', 'UpToDate', '', MIN),
        status('b', 'Migration/db', 'Synced', 'UpToDate', '', MIN),
        status('a', 'Wiring/api', 'Synced', 'UpToDate', '', MIN),
      ],
      NOW,
    );

    expect(rows.map((r) => `${r.environment} ${r.resource}`)).toEqual([
      'a Wiring/api',
      'b Migration/db',
      'b Service/api',
      'b Service/web',
      'b ScheduledTask/report',
      'b AliasRecord/api',
      'b Maintenance/page',
      'b Wiring/api',
    ]);
  });

  it('colours drifted and progressing phases yellow, blocked red, and shows no last error under a synced resource', () => {
    const text = renderStatus(
      [
        status('e', 'Service/a', 'Drifted', 'X', '', MIN),
        status('e', 'Service/b', 'Progressing', 'X', '', MIN),
        status('e', 'Service/c', 'Blocked', 'X', '', MIN),
        status('e', 'Service/d', 'Synced', 'X', '', MIN, { lastError: { message: 'old', what: 'update', at: NOW - HOUR, passId: 'p1' } }),
      ],
      { now: NOW, color: true },
    );

    expect(text).toContain('\u001b[33mDrifted');
    expect(text).toContain('\u001b[33mProgressing');
    expect(text).toContain('\u001b[31mBlocked');
    expect(text).not.toContain('last error');
  });
});

const EVENTS: MaintenanceEvent[] = [
  { environment: 'shop-prod', name: 'page', at: NOW - HOUR, switched: 'on', source: 'command', by: 'ana', reason: 'db upgrade', until: NOW + HOUR, passId: 'shop-prod/p1' },
  { environment: 'shop-prod', name: 'page', at: NOW - 10 * MIN, switched: 'off', source: 'command', passId: 'shop-prod/p2' },
];

describe('history as JSON', () => {
  it('has ISO times and milliseconds, no "ago" or duration strings, and the maintenance switches with what each said', () => {
    const json = historyJson(PASSES, DRIFT, NOW, EVENTS);

    expect(json.passes[1]).toEqual({
      passId: 'shop-prod/p1',
      environment: 'shop-prod',
      startedAt: '2026-01-02T10:00:00.000Z',
      outcome: 'ok',
      verdict: 'failed',
      mode: 'enforce',
      dryRun: false,
      durationMs: 20_000,
      actions: PASSES[0].actions,
      drift: { detected: 1, healed: 1 },
      apiCallCount: 3,
      apiCalls: PASSES[0].apiCalls,
      specVersion: 'c0ffee',
      failures: PASSES[0].failures,
    });
    expect(json.passes[0]).toMatchObject({ passId: 'shop-prod/p2', error: PASSES[1].error });
    expect(json.passes[0]).not.toHaveProperty('verdict');
    expect(json.passes[0]).not.toHaveProperty('specVersion');
    expect(json.drift[1]).toEqual({
      environment: 'shop-prod',
      resource: 'Service/api',
      key: 'Service/api#td',
      summary: 'service api runs shop-api:6, spec wants shop-api:7',
      detectedAt: '2026-01-02T09:00:00.000Z',
      healedAt: '2026-01-02T10:00:15.000Z',
      resolution: 'healed',
      timeToHealMs: HOUR + 15_000,
      diff: [],
    });
    expect(json.maintenance).toEqual([
      {
        environment: 'shop-prod',
        name: 'page',
        at: '2026-01-02T11:00:00.000Z',
        until: '2026-01-02T13:00:00.000Z',
        switched: 'on',
        source: 'command',
        by: 'ana',
        reason: 'db upgrade',
        passId: 'shop-prod/p1',
        summary: 'maintenance page on by command (ana: db upgrade) until 2026-01-02 13:00 UTC',
      },
      { environment: 'shop-prod', name: 'page', at: '2026-01-02T11:50:00.000Z', switched: 'off', source: 'command', passId: 'shop-prod/p2', summary: 'maintenance page off' },
    ]);
    expect(historyJson(PASSES, DRIFT, NOW)).not.toHaveProperty('maintenance');
  });

  it('keeps why an interrupted pass stopped', () => {
    const interrupted = { ...PASSES[0], verdict: 'interrupted' as const, interrupted: { reason: 'leaseLost' as const, stage: 'converge' as const, message: 'the lease was taken over' } };

    expect(historyJson([interrupted], [], NOW).passes[0].interrupted).toEqual(interrupted.interrupted);
    expect(historyJson(PASSES, [], NOW).passes[0]).not.toHaveProperty('interrupted');
  });
});

describe('maintenance switches in history', () => {
  it('says what each switch was, in words', () => {
    expect(maintenanceSwitch('page', EVENTS[0])).toBe('maintenance page on by command (ana: db upgrade) until 2026-01-02 13:00 UTC');
    expect(maintenanceSwitch('page', { switched: 'on', source: 'automatic', reason: 'api: no healthy targets' })).toBe('maintenance page on automatically (api: no healthy targets)');
    expect(maintenanceSwitch('page', EVENTS[1])).toBe('maintenance page off');
  });

  it('lists them after the drift, on in yellow and off in green', () => {
    const lines = renderHistory([], [], { now: NOW, color: false }, EVENTS).split('\n');

    expect(lines.slice(5)).toEqual([
      '',
      'Maintenance switches (2)',
      'WHEN     ENVIRONMENT  SWITCH',
      '1h ago   shop-prod    maintenance page on by command (ana: db upgrade) until 2026-01-02 13:00 UTC',
      '10m ago  shop-prod    maintenance page off',
    ]);
    const colored = renderHistory([], [], { now: NOW, color: true }, EVENTS);
    expect(colored).toContain('\u001b[33mmaintenance page on by command');
    expect(colored).toContain('\u001b[32mmaintenance page off');
  });
});

describe('history for people', () => {
  const pass = (extra: Partial<PassRecord>): PassRecord => ({ ...PASSES[1], outcome: 'ok', error: undefined, ...extra });

  it('marks dry runs and observe passes, a failure without a message, actions with nothing done, and drift gone rather than healed', () => {
    const passes = [
      pass({ passId: 'a', startedAt: NOW - 1 * MIN, dryRun: true, verdict: 'changesPending', actions: { planned: 2, done: 0, failed: 0, blocked: 0, held: 0, pending: 0 } }),
      pass({ passId: 'b', startedAt: NOW - 2 * MIN, mode: 'observe', verdict: 'converged', failures: [{ resource: 'Service/api', summary: 'update service api' }] }),
      pass({ passId: 'c', startedAt: NOW - 3 * MIN, mode: 'observe', verdict: 'drifted' }),
      pass({ passId: 'd', startedAt: NOW - 4 * MIN, durationMs: 3 * 24 * HOUR }),
    ];
    const gone: DriftRecord = { ...DRIFT[0], resolution: 'gone', healedAt: NOW - 30 * MIN, timeToHealMs: 2 * HOUR };

    const lines = renderHistory(passes, [gone], { now: NOW, color: false }).split('\n');

    expect(lines.slice(1, 7)).toEqual([
      'STARTED  ENVIRONMENT  VERDICT                   DURATION  ACTIONS    DRIFT  API CALLS  SPEC',
      '1m ago   shop-prod    changesPending (dry run)  800ms     2 planned  -      0          -',
      '2m ago   shop-prod    converged (observe)       800ms     none       -      0          -',
      '    failed: update service api',
      '3m ago   shop-prod    drifted                   800ms     none       -      0          -',
      '4m ago   shop-prod    ok                        3d        none       -      0          -',
    ]);
    expect(lines.at(-1)).toBe('3h ago    shop-prod    Service/api  gone 30m ago  2h            service api runs shop-api:6, spec wants shop-api:7');
  });

  it('colours a verdict: skipped and interrupted yellow, failed, unknown and unrepaired red, the rest green', () => {
    const colorOf = (extra: Partial<PassRecord>) => {
      const line = renderHistory([pass(extra)], [], { now: NOW, color: true }).split('\n')[2];
      return /\u001b\[(3\d)m/.exec(line)?.[1];
    };

    expect(colorOf({ outcome: 'skipped', verdict: 'skipped' })).toBe('33');
    expect(colorOf({ verdict: 'interrupted' })).toBe('33');
    expect(colorOf({ verdict: 'failed' })).toBe('31');
    expect(colorOf({ verdict: 'unknown' })).toBe('31');
    expect(colorOf({ verdict: 'unrepaired' })).toBe('31');
    expect(colorOf({ outcome: 'failed' })).toBe('31');
    expect(colorOf({ verdict: 'converged' })).toBe('32');
    expect(colorOf({ verdict: 'drifted' })).toBe('32');
  });

  it('colours open drift yellow and healed drift green', () => {
    const colored = renderHistory([], DRIFT, { now: NOW, color: true });

    expect(colored).toContain('\u001b[33mopen');
    expect(colored).toContain('\u001b[32mhealed 1h ago');
  });
});

describe('durations on whole units', () => {
  it.each([
    [2 * MIN, '2m'],
    [HOUR, '1h'],
    [3 * 24 * HOUR, '3d'],
    [59 * MIN + 59_999, '59m 59s'],
    [23 * HOUR + 59 * MIN, '23h 59m'],
  ])('shows %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('durations and dates at their edges', () => {
  it.each([
    [999, '999ms'],
    [1000, '1s'],
    [60_000, '1m'],
    [24 * HOUR, '1d'],
  ])('shows %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([
    [' 24h ', NOW - 24 * HOUR],
    ['2026-01-01 09:30', Date.UTC(2026, 0, 1, 9, 30)],
    ['2026-01-01 18:30+09:00', Date.UTC(2026, 0, 1, 9, 30)],
    ['2026-01-01T18:30:00+0900', Date.UTC(2026, 0, 1, 9, 30)],
    ['2026-01-01T09:30:00.123Z', Date.UTC(2026, 0, 1, 9, 30, 0, 123)],
    [new Date(NOW).toISOString(), NOW],
  ])('reads %j', (text, at) => {
    expect(parseSince(text, NOW)).toBe(at);
  });

  it.each(['x24h', '24hx', '2026-01-01x', 'since 2026-01-01'])('refuses %j as not a duration or date', (text) => {
    expect(() => parseSince(text, NOW)).toThrow(`--since: expected a duration such as 90m, 24h or 7d, or an ISO date such as 2026-01-01T00:00:00Z; got "${text}"`);
  });

  describe('on a machine whose clock is not on UTC', () => {
    const tz = process.env.TZ;
    afterEach(() => {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    });

    it('reads a date and time without a zone as UTC, so the same command means the same window everywhere', () => {
      process.env.TZ = 'Asia/Tokyo';

      expect(parseSince('2026-01-01T09:30', NOW)).toBe(Date.UTC(2026, 0, 1, 9, 30));
      expect(parseSince('2026-01-01 09:30:15', NOW)).toBe(Date.UTC(2026, 0, 1, 9, 30, 15));
      expect(parseSince('2026-01-01', NOW)).toBe(Date.UTC(2026, 0, 1));
    });
  });
});

describe('columns', () => {
  const E = '\u001b[';

  it('never end a line in spaces, even when the last cell is empty', () => {
    const text = renderStatus([status('e', 'Service/a', 'Synced', 'UpToDate', '', MIN), status('e', 'Service/b', 'Synced', 'UpToDate', 'fine', MIN)], { now: NOW, color: false });

    expect(text.split('\n')).toEqual(['RESOURCE   PHASE   REASON    SINCE   MESSAGE', 'Service/a  Synced  UpToDate  1m ago', 'Service/b  Synced  UpToDate  1m ago  fine']);
  });

  it("colour only the column they are about, and never pad the last one", () => {
    const status = renderStatus([STATUSES[0]], { now: NOW, color: true }).split('\n');
    expect(status[1]).toBe(`Service/api  ${E}31mFailed${E}39m  UpdateFailed  3m ago  AccessDeniedException on UpdateService`);

    const history = renderHistory([PASSES[1]], [DRIFT[1]], { now: NOW, color: true }, EVENTS).split('\n');
    expect(history[2]).toBe(`5m ago   shop-prod    ${E}33mskipped${E}39m  800ms     none     -      0          -`);
    expect(history[7]).toBe(`10m ago   shop-prod    AliasRecord/api-dns  ${E}33mopen  ${E}39m  -             api.example.com points at a deleted load balancer`);
    expect(history.slice(11)).toEqual([
      `1h ago   shop-prod    ${E}33mmaintenance page on by command (ana: db upgrade) until 2026-01-02 13:00 UTC${E}39m`,
      `10m ago  shop-prod    ${E}32mmaintenance page off${E}39m`,
    ]);
  });
});

describe('action counts', () => {
  const actions = (a: Partial<PassRecord['actions']>) => ({ planned: 0, done: 0, failed: 0, blocked: 0, held: 0, pending: 0, ...a });
  const cell = (a: Partial<PassRecord['actions']>) => renderHistory([{ ...PASSES[1], actions: actions(a) }], [], { now: NOW, color: false }).split('\n')[2].split(/ {2,}/)[4];

  it.each([
    [{}, 'none'],
    [{ held: 1, pending: 1 }, '0 planned: 1 held, 1 pending'],
    [{ blocked: 1, held: 1 }, '0 planned: 1 blocked, 1 held'],
    [{ failed: 1, blocked: 1 }, '0 planned: 1 failed, 1 blocked'],
    [{ planned: 3 }, '3 planned'],
  ])('%j is %s: "none" only when nothing was planned or done', (a, text) => {
    expect(cell(a)).toBe(text);
  });
});

describe('maintenance switches as JSON', () => {
  it('have no until when the switch had none', () => {
    expect(historyJson([], [], NOW, EVENTS).maintenance![1]).not.toHaveProperty('until');
  });
});
