import type { SimAccount, SimService } from './account.js';

/** Starting state of the simulated Elbv2 (see fixture.ts). */
export interface Elbv2Fixture {}

/** The simulated Elbv2. Operations are added by the issue that needs them. */
export class Elbv2Sim implements SimService {
  readonly operations: Record<string, (input: any) => unknown> = {};

  constructor(readonly account: SimAccount) {}

  seed(_fixture: Elbv2Fixture): void {}
}
