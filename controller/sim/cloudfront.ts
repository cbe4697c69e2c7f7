import type { SimAccount, SimService } from './account.js';

/** Starting state of the simulated CloudFront (see fixture.ts). */
export interface CloudFrontFixture {}

/** The simulated CloudFront. Operations are added by the issue that needs them. */
export class CloudFrontSim implements SimService {
  readonly operations: Record<string, (input: any) => unknown> = {};

  constructor(readonly account: SimAccount) {}

  seed(_fixture: CloudFrontFixture): void {}
}
