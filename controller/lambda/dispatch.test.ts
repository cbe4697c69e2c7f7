import { describe, expect, it } from 'vitest';
import { QUEUED_AT_MOST_MS, selectEnvironments, stillQueued } from './dispatch.js';

const MIN = 60_000;
const hashes = new Map([
  ['a', 'h1'],
  ['b', 'h1'],
  ['c', 'h1'],
]);

describe('a tick does not pile messages up behind a long tick', () => {
  it('an environment sent and not passed since is still queued; one passed since, never sent, or sent too long ago is not', () => {
    const now = 10 * MIN;
    const last = new Map([
      ['waiting', { dispatchedAt: now - MIN }],
      ['passed', { dispatchedAt: now - MIN }],
      ['lost', { dispatchedAt: now - QUEUED_AT_MOST_MS }],
      ['running', { dispatchedAt: now - 5 * MIN }],
    ]);
    const passedAt = new Map([
      ['waiting', now - 2 * MIN],
      ['passed', now - 10_000],
      ['lost', now - QUEUED_AT_MOST_MS - 1],
    ]);
    expect([...stillQueued(last, passedAt, now)].sort()).toEqual(['running', 'waiting']);
  });

  it('a tick leaves queued environments out; a spec change and a manual invoke send them', () => {
    const queued = new Set(['b']);
    const last = new Map([...hashes].map(([environment, specHash]) => [environment, { specHash: environment === 'c' ? 'old' : specHash }]));
    expect(selectEnvironments('schedule', undefined, hashes, last, new Map(), queued)).toEqual([
      { environment: 'a', reason: 'tick' },
      { environment: 'b', reason: 'queued' },
      { environment: 'c', reason: 'tick' },
    ]);
    expect(selectEnvironments('s3', undefined, hashes, last, new Map(), queued).map((s) => s.reason)).toEqual(['unchanged', 'unchanged', 'changed']);
    expect(selectEnvironments('manual', undefined, hashes, last, new Map(), queued).map((s) => s.reason)).toEqual(['tick', 'tick', 'tick']);
    expect(selectEnvironments('schedule', ['b'], hashes, last, new Map(), queued)).toEqual([{ environment: 'b', reason: 'named' }]);
  });
});
