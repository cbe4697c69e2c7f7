import { describe, expect, it } from 'vitest';
import { systemClock } from '../clock.js';
import { interruptionOf } from '../interrupt.js';
import { invocationTime } from './deadline.js';
import { cappingJsonReplacer, capText, summariseNames } from './logsafe.js';

describe('log lines', () => {
  it('cut long strings and lists, saying how much was left out, and still redact secrets', () => {
    const line = JSON.stringify(
      { message: 'x'.repeat(5_000), records: Array.from({ length: 100 }, (_, i) => i), note: 'Bearer xoxb-1234567890-DoNotPrintThis' },
      cappingJsonReplacer,
    );
    const parsed = JSON.parse(line);

    expect(parsed.message).toBe(`${'x'.repeat(2_000)}… (3000 more characters)`);
    expect(parsed.records).toEqual([...Array.from({ length: 20 }, (_, i) => i), '… and 80 more']);
    expect(parsed.note).toBe('Bearer [redacted]');
    expect(line.length).toBeLessThan(2_500);
  });

  it('summarise names: all when few, the first ones and how many more when many', () => {
    expect(summariseNames(['a', 'b'])).toBe('a, b');
    expect(summariseNames(['a', 'b', 'c', 'd'], 2)).toBe('a, b and 2 more');
    expect(capText('short')).toBe('short');
  });
});

describe('an invocation\'s time', () => {
  it('is over at once for both signals when middy gives up, and keeps the deadline on the pass clock', () => {
    const middy = new AbortController();
    const time = invocationTime({ clock: { now: () => 1_000, sleep: systemClock.sleep }, remainingMs: 300_000, marginMs: 60_000, signal: middy.signal });
    expect(time.deadline).toBe(1_000 + 240_000);
    expect(time.signal.aborted).toBe(false);

    middy.abort();

    expect(interruptionOf(time.signal)).toMatchObject({ reason: 'outOfTime', message: 'the pass ran out of time' });
    expect(interruptionOf(time.finishSignal)).toMatchObject({ reason: 'outOfTime', message: 'the invocation ran out of time' });
    time.dispose();
  });
});
