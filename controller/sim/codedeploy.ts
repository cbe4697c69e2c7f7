import type { SimAccount, SimService } from './account.js';

/** Starting state of the simulated CodeDeploy (see fixture.ts). */
export interface CodeDeployFixture {}

/** The simulated CodeDeploy. Operations are added by the issue that needs them. */
export class CodeDeploySim implements SimService {
  readonly operations: Record<string, (input: any) => unknown> = {};

  constructor(readonly account: SimAccount) {}

  seed(_fixture: CodeDeployFixture): void {}
}
