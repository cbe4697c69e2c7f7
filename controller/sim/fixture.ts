import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { ConfigError } from '../errors.js';
import { SimAccount } from './account.js';
import { unknownFixtureKeys } from './fixture-keys.js';
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

/**
 * Reads a fixture file (YAML or JSON) and builds the simulated account it describes.
 *
 * @example
 * const account = await simAccountFromFile('controller/sim/fixtures/examples.yaml');
 */
export async function simAccountFromFile(path: string, options: { seed?: number } = {}): Promise<SimAccount> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`reading simulated-account fixture ${path}: ${(err as Error).message}`);
  }
  let fixture: SimFixture;
  try {
    fixture = (parse(text, { maxAliasCount: 0 }) ?? {}) as SimFixture;
  } catch (err) {
    throw new ConfigError(`${path}: ${(err as Error).message}`);
  }
  if (typeof fixture !== 'object' || Array.isArray(fixture)) throw new ConfigError(`${path}: expected a mapping with sections ${SECTIONS.join(', ')}`);
  const unknown = Object.keys(fixture).filter((k) => !SECTIONS.includes(k));
  if (unknown.length > 0) throw new ConfigError(`${path}: unknown section ${unknown.map((k) => `"${k}"`).join(', ')}; expected ${SECTIONS.join(', ')}`);
  // A misspelt key would be ignored, and the account not be what the fixture meant.
  const unknownKeys = unknownFixtureKeys(fixture);
  if (unknownKeys.length > 0) throw new ConfigError(`${path}: ${unknownKeys.join('; ')}`);
  const start = fixture.start === undefined ? undefined : new Date(fixture.start);
  if (start && Number.isNaN(start.getTime())) throw new ConfigError(`${path}: start: expected an ISO date-time (2026-01-01T00:00:00Z), got ${String(fixture.start)}`);
  // A simulated account people run steady against behaves like AWS, request-rate limits included.
  const account = new SimAccount({ accountId: fixture.accountId, region: fixture.region, start, seed: options.seed, rateLimits: true });
  try {
    return account.seed(fixture);
  } catch (err) {
    throw new ConfigError(`${path}: ${(err as Error).message}`);
  }
}
