/** What the pass tests share on top of `world()`: a converged start and the calls made since a mark. */
import { expect } from 'vitest';
import { isMutating, type SimCall } from '../sim/account.js';
import { world, type World } from './world.js';

/** The environment after a first pass created everything and ECS finished rolling out. */
export async function converged(environment = 'shop-prod'): Promise<World> {
  const w = await world(environment);
  const { result } = await w.pass();
  expect(result.outcomes.filter((o) => o.state !== 'done')).toEqual([]);
  w.advance(600_000);
  return w;
}

/** The calls made to the simulated account from now on, and the changing ones as `service:Operation`. */
export function mark(w: World) {
  const from = w.account.calls.length;
  return {
    calls: (): SimCall[] => w.account.calls.slice(from),
    mutations: (): string[] => w.account.calls.slice(from).filter((c) => isMutating(c.operation)).map((c) => `${c.service}:${c.operation}`),
  };
}
