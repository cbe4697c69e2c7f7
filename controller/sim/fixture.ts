import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { ConfigError } from '../errors.js';
import { SimAccount } from './account.js';
import { unknownFixtureKeys } from './fixture-keys.js';
import { SimOrganization } from './organization.js';
import type { CloudFrontFixture } from './cloudfront.js';
import type { CodeDeployFixture } from './codedeploy.js';
import type { EcrFixture } from './ecr.js';
import type { EcsFixture } from './ecs.js';
import type { Elbv2Fixture } from './elbv2.js';
import type { Route53Fixture } from './route53.js';

/**
 * The starting state of a simulated account, as a YAML/JSON document (`steady plan --sim FILE`).
 * Each section belongs to one simulated service and is applied in dependency order (ECR, ELB,
 * CloudFront, Route 53 (whose aliases name load balancers and distributions), then ECS and
 * CodeDeploy, which refer to the others by name). Every key is checked: an unknown one is refused
 * (fixture-keys.ts). The format is described in README.md beside this file.
 */
export interface SimFixture {
  accountId?: string;
  region?: string;
  /** When the simulated clock starts: an ISO date-time (default 2026-01-01T00:00:00Z). */
  start?: string | Date;
  ecr?: EcrFixture;
  elbv2?: Elbv2Fixture;
  route53?: Route53Fixture;
  cloudfront?: CloudFrontFixture;
  ecs?: EcsFixture;
  codedeploy?: CodeDeployFixture;
}

const SECTIONS = ['accountId', 'region', 'start', 'ecr', 'elbv2', 'route53', 'cloudfront', 'ecs', 'codedeploy'];

/** Another account of a simulated organisation: its starting state, and the role steady assumes there. */
export interface SimAccountFixture extends SimFixture {
  accountId: string;
  /** A role trusting the controller's role only, with this external id (what deploy/target.ts deploys). */
  role?: { name: string; externalId?: string };
}

/** An organisation: the controller's account (the top-level sections) and `accounts`. */
export interface SimOrganizationFixture extends SimFixture {
  accounts?: SimAccountFixture[];
}

async function readFixture(path: string): Promise<SimOrganizationFixture> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`reading simulated-account fixture ${path}: ${(err as Error).message}`);
  }
  let fixture: SimOrganizationFixture;
  try {
    fixture = (parse(text, { maxAliasCount: 0 }) ?? {}) as SimOrganizationFixture;
  } catch (err) {
    throw new ConfigError(`${path}: ${(err as Error).message}`);
  }
  if (typeof fixture !== 'object' || Array.isArray(fixture)) throw new ConfigError(`${path}: expected a mapping with sections ${SECTIONS.join(', ')}`);
  checkSections(fixture, [...SECTIONS, 'accounts'], path);
  return fixture;
}

function checkSections(fixture: object, allowed: string[], where: string): void {
  const unknown = Object.keys(fixture).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw new ConfigError(`${where}: unknown section ${unknown.map((k) => `"${k}"`).join(', ')}; expected ${allowed.join(', ')}`);
}

/** Keys no fixture type has (a misspelt key would be ignored, and the account not be what the fixture meant), and the clock's start. */
function checkedStart(fixture: SimFixture, where: string): Date | undefined {
  const unknownKeys = unknownFixtureKeys(fixture);
  if (unknownKeys.length > 0) throw new ConfigError(`${where}: ${unknownKeys.join('; ')}`);
  const start = fixture.start === undefined ? undefined : new Date(fixture.start);
  if (start && Number.isNaN(start.getTime())) throw new ConfigError(`${where}: start: expected an ISO date-time (2026-01-01T00:00:00Z), got ${String(fixture.start)}`);
  return start;
}

function seedOrExplain(account: SimAccount, fixture: SimFixture, where: string): SimAccount {
  try {
    return account.seed(fixture);
  } catch (err) {
    throw new ConfigError(`${where}: ${(err as Error).message}`);
  }
}

/**
 * Reads a fixture file (YAML or JSON) and builds the simulated account it describes.
 *
 * @example
 * const account = await simAccountFromFile('controller/sim/fixtures/examples.yaml');
 */
export async function simAccountFromFile(path: string, options: { seed?: number } = {}): Promise<SimAccount> {
  const fixture = await readFixture(path);
  if (fixture.accounts !== undefined) throw new ConfigError(`${path}: "accounts" describes a simulated organisation; this needs one account (simOrganizationFromFile reads organisations)`);
  const start = checkedStart(fixture, path);
  // A simulated account people run steady against behaves like AWS, request-rate limits included.
  const account = new SimAccount({ accountId: fixture.accountId, region: fixture.region, start, seed: options.seed, rateLimits: true });
  return seedOrExplain(account, fixture, path);
}

/**
 * Reads a fixture that may describe several accounts: the top-level sections are the controller's
 * account (as in `simAccountFromFile`), each of `accounts` another account and Region, with the
 * role steady assumes there. Every account enforces AWS's rate limits.
 *
 * @example
 * // accounts: [{ accountId: "210987654321", role: { name: steady-target, externalId: messaging }, ecr: ... }]
 * const org = await simOrganizationFromFile('organisation.yaml');
 * org.account('210987654321').ecr.images('messaging-api');
 */
export async function simOrganizationFromFile(path: string, options: { seed?: number } = {}): Promise<SimOrganization> {
  const { accounts = [], ...home } = await readFixture(path);
  if (!Array.isArray(accounts)) throw new ConfigError(`${path}: "accounts" must be a list of accounts, each with an accountId`);
  const start = checkedStart(home, path);
  const org = new SimOrganization({ home: { accountId: home.accountId ?? '123456789012', region: home.region ?? 'ap-northeast-1' }, ...(start ? { start } : {}), ...(options.seed !== undefined ? { seed: options.seed } : {}) });
  org.home.enforceRateLimits();
  const limited = new Set([org.home]);
  seedOrExplain(org.home, home, path);
  accounts.forEach((entry, i) => {
    const where = `${path}: accounts[${i}]`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw new ConfigError(`${where}: expected a mapping with an accountId`);
    checkSections(entry, [...SECTIONS, 'role'], where);
    const { role, ...fixture } = entry;
    if ('start' in fixture) throw new ConfigError(`${where}: start: the organisation has one clock, set by the top-level start`);
    checkedStart(fixture, where);
    if (typeof fixture.accountId !== 'string' || !/^\d{12}$/.test(fixture.accountId)) throw new ConfigError(`${where}: accountId must be 12 digits in quotes, got ${JSON.stringify(fixture.accountId)}`);
    if (fixture.accountId === org.home.accountId) throw new ConfigError(`${where}: ${fixture.accountId} is the controller's account (the top-level sections)`);
    const account = org.account(fixture.accountId, fixture.region ?? org.home.region);
    if (!limited.has(account)) account.enforceRateLimits();
    limited.add(account);
    seedOrExplain(account, fixture, where);
    if (role !== undefined) {
      if (typeof role?.name !== 'string' || !/^[\w+=,.@-]{1,64}$/.test(role.name)) throw new ConfigError(`${where}: role.name must be an IAM role name, got ${JSON.stringify(role?.name)}`);
      org.trustController(fixture.accountId, role.name, role.externalId !== undefined ? { externalId: String(role.externalId) } : {});
    }
  });
  return org;
}
