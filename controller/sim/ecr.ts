import type { SimAccount, SimService } from './account.js';

/** Starting state of the simulated Ecr (see fixture.ts). */
export interface EcrFixture {}

/** The simulated Ecr. Operations are added by the issue that needs them. */
export class EcrSim implements SimService {
  readonly operations: Record<string, (input: any) => unknown> = {};

  constructor(readonly account: SimAccount) {}

  seed(_fixture: EcrFixture): void {}
}
