/**
 * The organisations the CLI builds from `--sim`, kept so a test can read their accounts. The real
 * `simOrganizationFromFile` runs; its result is remembered. vi.mock is hoisted per test file, so
 * each file says one line:
 *
 * @example
 * vi.mock('../sim/fixture.js', async (original) => (await import('../testing/built-organizations.js')).rememberOrganizations(original));
 * import { built } from '../testing/built-organizations.js';
 */
import type * as Fixture from '../sim/fixture.js';
import type { SimOrganization } from '../sim/organization.js';

/** Every organisation built since the test file started (or since a test emptied it). */
export const built: SimOrganization[] = [];

export async function rememberOrganizations(original: <T>() => Promise<T>): Promise<typeof Fixture> {
  const real = await original<typeof Fixture>();
  return {
    ...real,
    simOrganizationFromFile: async (...args: Parameters<typeof real.simOrganizationFromFile>) => {
      const org = await real.simOrganizationFromFile(...args);
      built.push(org);
      return org;
    },
  };
}
