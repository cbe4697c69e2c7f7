import type { SimAccount, SimService } from './account.js';

/** Starting state of the simulated Route53 (see fixture.ts). */
export interface Route53Fixture {}

/** The simulated Route53. Operations are added by the issue that needs them. */
export class Route53Sim implements SimService {
  readonly operations: Record<string, (input: any) => unknown> = {};

  constructor(readonly account: SimAccount) {}

  seed(_fixture: Route53Fixture): void {}
}
