import { describe, expect, it } from 'vitest';
import { quietPass } from '../testing/pass-fixtures.js';
import { actionCounts, countPhases, type ActionOutcome } from './pass.js';
import type { ResourceStatus } from './plan.js';

describe('pass summaries in numbers', () => {
  it('counts resources by phase, every phase present', () => {
    const phases = (...p: ResourceStatus['phase'][]) => p.map((phase, i) => ({ resource: `Service/s${i}`, kind: 'Service', phase, reason: 'x', message: '' }) as unknown as ResourceStatus);

    expect(countPhases(phases('Synced', 'Drifted', 'Synced', 'Failed', 'Progressing', 'Blocked', 'Synced'))).toStrictEqual({ Synced: 3, Drifted: 1, Progressing: 1, Blocked: 1, Failed: 1 });
    expect(countPhases([])).toStrictEqual({ Synced: 0, Drifted: 0, Progressing: 0, Blocked: 0, Failed: 0 });
  });

  it('counts the planned actions and what became of each', () => {
    const outcome = (state: ActionOutcome['state'], i: number): ActionOutcome => ({ actionId: `a${i}`, resource: 'Service/api', kind: 'UpdateService', summary: '', state });
    const pass = quietPass();
    const states: ActionOutcome['state'][] = ['done', 'done', 'failed', 'blocked', 'blocked', 'blocked', 'held', 'pending', 'pending', 'pending', 'pending'];

    const counts = actionCounts({ ...pass, outcomes: states.map(outcome) });

    expect(counts).toStrictEqual({ planned: pass.plan!.actions.length, done: 2, failed: 1, blocked: 3, held: 1, pending: 4 });
    expect(actionCounts({ ...pass, plan: undefined, outcomes: [] })).toStrictEqual({ planned: 0, done: 0, failed: 0, blocked: 0, held: 0, pending: 0 });
  });
});
