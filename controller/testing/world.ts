/**
 * A simulated world for engine tests: the account of `controller/sim/fixtures/examples.yaml`, the
 * specs of one example environment, and a `pass()` that runs steady's real pass over both.
 */
import { fileURLToPath } from 'node:url';
import { countCalls } from '../aws/clients.js';
import type { MigrationLedger } from '../converge/converge.js';
import type { MaintenanceMemory } from '../model/maintenance.js';
import type { DesiredEnvironment } from '../model/plan.js';
import { createAdapters, runPass } from '../pass.js';
import type { SimAccount } from '../sim/account.js';
import { simAccountFromFile } from '../sim/fixture.js';
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

export async function world(environment = 'shop-prod', options: { seed?: number } = {}): Promise<World> {
  const account = await simAccountFromFile(EXAMPLES_FIXTURE, { seed: options.seed ?? 42 });
  const desired = await exampleSpecs(environment);
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
