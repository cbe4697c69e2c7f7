import type { SimAccount, SimService } from './account.js';

/** Starting state of the simulated Ecs (see fixture.ts). */
export interface EcsFixture {}

/** The simulated Ecs. Operations are added by the issue that needs them. */
export class EcsSim implements SimService {
  readonly operations: Record<string, (input: any) => unknown> = {};

  constructor(readonly account: SimAccount) {}

  seed(_fixture: EcsFixture): void {}
}
