/**
 * Where an environment lives and how steady reaches it: its region, and in another account the role
 * steady assumes there (STS AssumeRole, with the external id its trust policy requires). Each
 * (role, region) gets its clients once per container; credentials are reused until shortly before
 * they expire. A role that cannot be assumed is not an error of the invocation: the environment is
 * unreadable, and its pass says why once (`unreachablePass`).
 */
// Type only: STS's client is imported when a role is first assumed, so a cold start that reaches
// no other account does not load it (the bundle puts it in a chunk of its own).
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { Clock } from '../clock.js';
import type { Unreadable } from '../model/actual.js';
import { emptyActualState } from '../model/actual.js';
import { classifyAwsError, readableError } from '../model/causes.js';
import type { PassResult, SpecSource } from '../model/pass.js';
import type { DesiredEnvironment } from '../model/plan.js';
import { plan, policyFor } from '../plan/plan.js';
import { statusesAfter } from '../converge/status.js';
import { createAwsClients, type AwsClients } from './clients.js';
import { clientRegion } from './region.js';

/** The fields of an Environment's spec that say where it is. */
export interface EnvironmentTarget {
  region: string;
  account?: string;
  roleArn?: string;
  externalId?: string;
}

/** Credentials are renewed this long before they expire (the SDK's own margin is 5 minutes too). */
export const CREDENTIALS_REFRESH_MARGIN_MS = 5 * 60_000;

export interface EnvironmentAccountsOptions {
  clock: Clock;
  /** Builds one region's clients; `credentials` is absent for steady's own identity. Default `createAwsClients`. */
  clientsFor?: (region: string, credentials?: () => Promise<AwsCredentialIdentity>) => AwsClients;
  /**
   * The STS client the roles are assumed with. Default: the SDK's default configuration; where that
   * has no region (a laptop without AWS_REGION or a profile region), the STS endpoint of the
   * environment's region, as the environment's own clients use its region.
   */
  sts?: STSClient;
}

/** An environment's clients, or why it cannot be reached. */
export type Reach =
  | { ok: true; clients: AwsClients; key: string; fresh: boolean }
  | { ok: false; unreadable: Unreadable };

interface Held {
  identity: AwsCredentialIdentity;
  expiresAt: number;
}

/**
 * A role session name from a pass id: STS allows 2-64 of `[\w+=,.@-]`, and a pass id
 * (`shop-prod/2026-01-01T00:00:00.000Z/66debc`) has `/` and `:`, which become `-`; a long one
 * keeps its start and its end (the time and the random part).
 *
 * @example
 * sessionName('shop-prod/2026-01-01T00:00:00.000Z/66debc'); // 'shop-prod-2026-01-01T00-00-00.000Z-66debc'
 */
export function sessionName(passId: string): string {
  const clean = passId.replace(/[^\w+=,.@-]/g, '-');
  const padded = clean.length < 2 ? `${clean}--`.slice(0, 2) : clean;
  return padded.length <= 64 ? padded : `${padded.slice(0, 32)}-${padded.slice(-31)}`;
}

/**
 * The clients of every environment an invocation reconciles, by role and region.
 *
 * @example
 * const accounts = new EnvironmentAccounts({ clock: systemClock });
 * const reach = await accounts.reach(desired.environment.spec, passId);
 * if (reach.ok) createAdapters(reach.clients); else unreachablePass(desired, reach.unreadable, { passId, now });
 */
export class EnvironmentAccounts {
  readonly #clock: Clock;
  readonly #clientsFor: NonNullable<EnvironmentAccountsOptions['clientsFor']>;
  readonly #sts?: STSClient;
  #own?: Promise<STSClient | undefined>;
  readonly #stsByRegion = new Map<string, STSClient>();
  readonly #held = new Map<string, Held>();
  readonly #pending = new Map<string, Promise<Held>>();
  readonly #clients = new Map<string, AwsClients>();

  constructor(options: EnvironmentAccountsOptions) {
    this.#clock = options.clock;
    this.#clientsFor = options.clientsFor ?? ((region, credentials) => createAwsClients({ region, ...(credentials ? { credentials } : {}) }));
    this.#sts = options.sts;
  }

  /**
   * The environment's clients. With a role: makes sure credentials are held (assuming the role,
   * session named after `passId`, when none are or they expire within the refresh margin), so a
   * role that cannot be assumed is found before the pass reads anything.
   */
  async reach(target: EnvironmentTarget, passId: string): Promise<Reach> {
    const role = target.roleArn ? roleKey(target) : '';
    const key = `${role}|${target.region}`;
    if (target.roleArn) {
      try {
        await this.#credentials(target, passId);
      } catch (err) {
        return { ok: false, unreadable: unreadableRole(target, err) };
      }
    }
    let clients = this.#clients.get(key);
    const fresh = !clients;
    if (!clients) {
      // The SDK asks the provider again when its credentials near expiry; the provider renews them.
      const provider = target.roleArn ? async () => (await this.#credentials(target, passId)).identity : undefined;
      clients = this.#clientsFor(target.region, provider);
      this.#clients.set(key, clients);
    }
    return { ok: true, clients, key, fresh };
  }

  /** The held credentials of a role, renewed when they expire within the margin; concurrent passes share one AssumeRole. */
  async #credentials(target: EnvironmentTarget, passId: string): Promise<Held> {
    const key = roleKey(target);
    const held = this.#held.get(key);
    if (held && this.#clock.now() < held.expiresAt - CREDENTIALS_REFRESH_MARGIN_MS) return held;
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = this.#assume(target, passId).finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    const fresh = await pending;
    this.#held.set(key, fresh);
    return fresh;
  }

  /** The default-configured STS client, when the default chain has a region. */
  #defaultSts(Client: typeof STSClient): Promise<STSClient | undefined> {
    return (this.#own ??= (async () => {
      const own = new Client({});
      return (await clientRegion(own)) ? own : undefined;
    })());
  }

  #stsIn(Client: typeof STSClient, region: string): STSClient {
    let sts = this.#stsByRegion.get(region);
    if (!sts) this.#stsByRegion.set(region, (sts = new Client({ region })));
    return sts;
  }

  async #assume(target: EnvironmentTarget, passId: string): Promise<Held> {
    const { AssumeRoleCommand, STSClient } = await import('@aws-sdk/client-sts');
    const sts = this.#sts ?? (await this.#defaultSts(STSClient)) ?? this.#stsIn(STSClient, target.region);
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: target.roleArn, RoleSessionName: sessionName(passId), ...(target.externalId ? { ExternalId: target.externalId } : {}) }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`STS AssumeRole of ${target.roleArn} returned no credentials`);
    const expiresAt = c.Expiration ? c.Expiration.getTime() : this.#clock.now() + 15 * 60_000;
    return {
      identity: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}), expiration: new Date(expiresAt) },
      expiresAt,
    };
  }
}

function roleKey(target: EnvironmentTarget): string {
  return `${target.roleArn}|${target.externalId ?? ''}`;
}

function unreadableRole(target: EnvironmentTarget, err: unknown): Unreadable {
  const account = target.account ?? target.roleArn!.split(':')[4];
  const doing = `assuming role ${target.roleArn} in account ${account}`;
  const { name, message } = readableError(err);
  // The external id is not a secret, but it is the trust policy's to know: never repeated in a message.
  const scrub = (text: string) => (target.externalId ? text.replaceAll(target.externalId, '[external id]') : text);
  const cause = classifyAwsError(err, { service: 'sts', operation: 'AssumeRole', doing });
  return {
    what: `account ${account} (role ${target.roleArn})`,
    affects: [],
    awsName: name,
    message: scrub(message),
    transient: false,
    cause: { ...cause, message: scrub(cause.message) },
  };
}

/**
 * What each resource of an unreachable environment says: `role arn:aws:iam::310987654321:role/steady-target
 * could not be assumed (AccessDenied); nothing is changed this pass`. The AWS error's name, never
 * the external id (nor the error's text, which `causes` says once).
 */
export function unreachableMessage(target: EnvironmentTarget, unreadable: Pick<Unreadable, 'what' | 'awsName'>): string {
  const what = target.roleArn ? `role ${target.roleArn} could not be assumed` : `${unreadable.what} could not be reached`;
  return `${what} (${unreadable.awsName}); nothing is changed this pass`;
}

/**
 * The pass of an environment steady could not reach: nothing read, nothing planned to change,
 * every resource `unknown` for the one reason given (`unreadable`, whose `affects` is filled in
 * here). Built by the planner from a state in which nothing was read, so it says what a pass that
 * could not read AWS says.
 */
export function unreachablePass(
  desired: DesiredEnvironment,
  unreadable: Unreadable,
  options: { passId: string; now: number; specVersion?: string; specSource?: SpecSource; dryRun?: boolean },
): PassResult {
  const policy = policyFor(desired, { dryRun: options.dryRun, now: options.now });
  const keys = plan(desired, emptyActualState(desired.name, options.now), policy).resources.map((r) => r.resource);
  const actual = emptyActualState(desired.name, options.now);
  const full = { ...unreadable, affects: keys };
  actual.unreadable.push(full);
  const planned = plan(desired, actual, policy);
  // Each resource says why nothing was read: the role, not a cluster the planner found unread.
  const message = unreachableMessage(desired.environment.spec, full);
  const p = { ...planned, resources: planned.resources.map((r) => ({ ...r, message })) };
  return {
    passId: options.passId,
    environment: desired.name,
    ...(options.specVersion ? { specVersion: options.specVersion } : {}),
    ...(options.specSource ? { specSource: options.specSource } : {}),
    startedAt: options.now,
    finishedAt: options.now,
    mode: p.policy.mode,
    dryRun: p.policy.dryRun,
    plan: p,
    outcomes: [],
    resources: statusesAfter(p, []),
    drift: [],
    apiCalls: {},
    outcome: 'ok',
    unreadable: [full],
  };
}
