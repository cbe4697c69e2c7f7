import { describe, expect, it } from 'vitest';
import { EnvironmentMemory, rotationPeriodMs, rotationSlice } from './memory.js';

const MINUTE = 60_000;

/** A memory whose rotation order has `services` services behind `services / 10` load balancers, each with `listeners` listeners read. */
function memoryOf(services: number, listeners = 1, elbReadsPerSecond = 5): { memory: EnvironmentMemory; names: string[] } {
  const memory = new EnvironmentMemory(elbReadsPerSecond);
  const names = Array.from({ length: services }, (_, i) => `svc-${String(i).padStart(4, '0')}`);
  memory.order = names.map((name, i) => ({ name, targetGroupArn: `tg-${i}`, loadBalancer: `alb-${Math.floor(i / 10)}` }));
  for (let lb = 0; lb < services / 10; lb++) {
    memory.loadBalancers.set(`alb-${lb}`, { arn: `arn-alb-${lb}`, forwards: '' });
    memory.listeners.set(`arn-alb-${lb}`, { value: Array.from({ length: listeners }, () => ({}) as never), readAt: 0 });
  }
  return { memory, names };
}

describe('the rotation period', () => {
  it('is the configured one while half of steady’s ELB read rate covers it', () => {
    // 1,000 services, 100 load balancers: 1,200 ELB calls a rotation, 150 a minute: 8 minutes.
    expect(rotationPeriodMs(memoryOf(1000).memory, 1000, 10 * MINUTE)).toBe(10 * MINUTE);
  });

  it('is lengthened, in whole minutes, when it is not', () => {
    // 5,000 services, 500 load balancers: 6,000 calls at 150 a minute.
    expect(rotationPeriodMs(memoryOf(5000).memory, 5000, 10 * MINUTE)).toBe(40 * MINUTE);
    // Two listeners each (DescribeRules for each): 6,500 calls, 43.3 minutes: 44.
    expect(rotationPeriodMs(memoryOf(5000, 2).memory, 5000, 10 * MINUTE)).toBe(44 * MINUTE);
    // Paced at half the rate: twice as long.
    expect(rotationPeriodMs(memoryOf(1000, 1, 2.5).memory, 1000, 10 * MINUTE)).toBe(16 * MINUTE);
  });

  it('gives each pass its share of the period used, and takes earlier re-reads off it', () => {
    const { memory, names } = memoryOf(5000);
    memory.lastPassAt = 0;
    memory.cursor = 0;
    // A minute of a 40-minute rotation: 125 services.
    expect(rotationSlice(memory, names, MINUTE, 10 * MINUTE).size).toBe(125);
    expect(memory).toMatchObject({ periodMs: 40 * MINUTE, configuredPeriodMs: 10 * MINUTE, cursor: 125 });
    // 200 re-reads of services read too long ago count in the share: the next pass reads none, the
    // one after 50 (125 - 75 still owed), then the rotation goes on at 125 a minute.
    memory.owed -= 200;
    expect(rotationSlice(memory, names, 2 * MINUTE, 10 * MINUTE).size).toBe(0);
    expect(rotationSlice(memory, names, 3 * MINUTE, 10 * MINUTE).size).toBe(50);
    expect(rotationSlice(memory, names, 4 * MINUTE, 10 * MINUTE).size).toBe(125);
  });
});
