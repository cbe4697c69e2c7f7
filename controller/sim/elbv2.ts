import type { SimAccount, SimService } from './account.js';

/** Starting state of the simulated Elastic Load Balancing v2 (see fixture.ts). */
export interface Elbv2Fixture {}

/** A target ECS registers for a task: its private IP and container port. */
export interface SimTarget {
  id: string;
  port: number;
  /** Whether the container passes the target group's health check. */
  healthy: boolean;
}

/** The simulated Elastic Load Balancing v2. */
export class Elbv2Sim implements SimService {
  readonly operations: Record<string, (input: any) => unknown> = {};

  constructor(readonly account: SimAccount) {}

  seed(_fixture: Elbv2Fixture): void {}

  // Internal API for the other simulated services (ECS registers and deregisters its tasks).

  /** A target group by ARN, or undefined. */
  targetGroupInfo(_arn: string): { arn: string; name: string; port?: number; targetType: string; loadBalancerArns: string[] } | undefined {
    throw new Error('Elbv2Sim.targetGroupInfo is not implemented yet');
  }

  /** Registers targets; they go `initial` -> `healthy` (or `unhealthy`) on the simulated clock. */
  registerTargets(_targetGroupArn: string, _targets: SimTarget[]): void {
    throw new Error('Elbv2Sim.registerTargets is not implemented yet');
  }

  /** Deregisters targets; they go `draining` and then disappear. */
  deregisterTargets(_targetGroupArn: string, _targets: { id: string; port: number }[]): void {
    throw new Error('Elbv2Sim.deregisterTargets is not implemented yet');
  }
}
