/**
 * A simulated world for engine tests: the organisation of `controller/sim/fixtures/examples.yaml`
 * (the shop in steady's own account, messaging-prod in the messaging team's), the specs of one
 * example environment, and a `pass()` that runs steady's real pass in the account that environment
 * lives in. The pass acts in that account directly: reaching it through the environment's role is
 * aws/accounts.ts's business, tested there and in cli/roles.test.ts.
 */
import { fileURLToPath } from 'node:url';
import { countCalls } from '../aws/clients.js';
import type { MigrationLedger } from '../converge/converge.js';
import type { MaintenanceMemory } from '../model/maintenance.js';
import type { DesiredEnvironment } from '../model/plan.js';
import { createAdapters, runPass } from '../pass.js';
import type { SimAccount } from '../sim/account.js';
import { simOrganizationFromFile } from '../sim/fixture.js';
import type { SimOrganization } from '../sim/organization.js';
import { loadSpecPaths } from '../spec/load.js';

export const EXAMPLES_FIXTURE = fileURLToPath(new URL('../sim/fixtures/examples.yaml', import.meta.url));
export const SPECS_DIR = fileURLToPath(new URL('../../specs/', import.meta.url));

/** The specs of one example environment (`shop-prod`, `messaging-prod`). */
export async function exampleSpecs(environment: string): Promise<DesiredEnvironment> {
  const loaded = await loadSpecPaths([SPECS_DIR]);
  if (!loaded.ok) throw new Error(`example specs are invalid: ${JSON.stringify(loaded.problems)}`);
  const env = loaded.specSet.environments.find((e) => e.name === environment);
  if (!env) throw new Error(`no example environment ${environment}`);
  return env;
}

export interface World {
  account: SimAccount;
  desired: DesiredEnvironment;
  pass: (options?: {
    dryRun?: boolean;
    ledger?: MigrationLedger;
    deadline?: number;
    wiring?: { probes?: boolean };
    /** What the state table remembers of the Maintenances (see controller/maintenance.ts). */
    maintenance?: Record<string, MaintenanceMemory>;
    /** The lease's stop signal and its check before every change (see controller/state/hold.ts). */
    signal?: AbortSignal;
    beforeChange?: () => Promise<void>;
  }) => ReturnType<typeof runPass>;
  /** Moves simulated time on (rollouts complete, DNS changes reach INSYNC). */
  advance: (ms: number) => void;
}

/** The account id of the messaging team in examples.yaml, where messaging-prod lives (specs/messaging/environment.yaml). */
export const MESSAGING_ACCOUNT = '210987654321';

/** The simulated organisation of examples.yaml, fresh. */
export function examplesOrganisation(options: { seed?: number } = {}): Promise<SimOrganization> {
  return simOrganizationFromFile(EXAMPLES_FIXTURE, options);
}

/**
 * The simulated account of examples.yaml an example environment lives in (default: steady's own,
 * where the shop is), fresh; its `clients()` act in it directly.
 *
 * @example
 * const account = await exampleAccount('messaging-prod', { seed: 7 }); // account 210987654321
 */
export async function exampleAccount(environment = 'shop-prod', options: { seed?: number } = {}): Promise<SimAccount> {
  const org = await examplesOrganisation(options);
  return environment === 'messaging-prod' ? org.account(MESSAGING_ACCOUNT) : org.home;
}

export async function world(environment = 'shop-prod', options: { seed?: number } = {}): Promise<World> {
  const desired = await exampleSpecs(environment);
  const org = await examplesOrganisation({ seed: options.seed ?? 42 });
  const account = desired.environment.spec.account ? org.account(desired.environment.spec.account, desired.environment.spec.region) : org.home;
  const clients = account.clients();
  const calls = countCalls(clients);
  const adapters = createAdapters(clients);
  return {
    account,
    desired,
    pass: (o = {}) => runPass({ desired, adapters, clock: account.clock, calls, pollMs: 5_000, ...o }),
    advance: (ms) => account.clock.advance(ms),
  };
}
