/**
 * The wiring of an environment steady could not reach (its role could not be assumed,
 * aws/accounts.ts): nothing was read, so every checked service is Degraded with one `unknown`
 * link that says why, once.
 */
import type { Unreadable } from '../model/actual.js';
import type { DesiredEnvironment } from '../model/plan.js';
import { serviceName, specHash } from '../plan/desired.js';
import { wiringSubjects } from './check.js';
import type { WiringLink, WiringResult } from './types.js';

/**
 * One result per service the checks cover, each with a single unknown link: the first link of
 * its chain (the load balancer, or for a service with a probe only, its tasks).
 *
 * `what` says what failed, as the other commands say it (cli/engine.ts `unreachableWhat`).
 *
 * @example
 * if (!reached.ok) results = unreachableWiring(desired, reached.unreadable, unreachableWhat(target, reached.unreadable), clock.now());
 */
export function unreachableWiring(desired: DesiredEnvironment, unreadable: Unreadable, what: string, now: number): WiringResult[] {
  const message = `${what} (${unreadable.awsName}: ${unreadable.message}); nothing was checked`;
  return wiringSubjects(desired).map((svc) => {
    const link: WiringLink = {
      name: svc.spec.loadBalancer ? 'loadBalancer' : 'tasks',
      status: 'unknown',
      ok: false,
      summary: 'not read',
      evidence: {},
      reason: 'ObserveFailed',
      message,
      ...(unreadable.cause ? { cause: unreadable.cause } : {}),
    };
    return {
      environment: desired.name,
      service: svc.metadata.name,
      serviceName: serviceName(svc),
      names: [],
      links: [link],
      firstBroken: link.name,
      condition: { type: 'Degraded', reason: 'ObserveFailed', message },
      checkedAt: now,
      specHash: specHash(svc),
    };
  });
}
