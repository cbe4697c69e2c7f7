import { STSServiceException } from '@aws-sdk/client-sts';
import { unmodelledError } from './errors.js';
import type { SimClock } from './clock.js';

/** Who may assume a simulated role: AWS principals (role, assumed-role, account root ARNs) and the external id the trust policy requires. */
export interface SimTrust {
  /** Principal ARNs the role trusts: `arn:aws:iam::<acct>:role/<name>` (its sessions too) or `arn:aws:iam::<acct>:root` (any principal of that account). */
  principals: string[];
  /** The `sts:ExternalId` condition, when the trust policy has one. */
  externalId?: string;
  /** The role's maximum session duration in seconds (IAM default 3600). */
  maxSessionSeconds?: number;
}

/** One set of temporary credentials the simulated STS issued (or a long-lived identity registered by the organisation). */
export interface SimSession {
  accessKeyId: string;
  accountId: string;
  /** The principal calls made with these credentials act as: `arn:aws:sts::<acct>:assumed-role/<role>/<session>`. */
  arn: string;
  /** The role the session belongs to: `arn:aws:iam::<acct>:role/<role>`. */
  roleArn: string;
  /** Simulated epoch ms; absent for an identity that does not expire. */
  expiresAt?: number;
}

// AWS's patterns (STS API reference, AssumeRole request parameters).
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

/**
 * The simulated AWS Security Token Service of an organisation: the roles of every account with
 * their trust policies, and the sessions AssumeRole hands out. `SimOrganization` routes each call
 * made with a session's credentials to the session's account.
 */
export class StsSim {
  readonly #roles = new Map<string, SimTrust>();
  readonly #sessions = new Map<string, SimSession>();
  #next = 0;

  constructor(
    private readonly clock: SimClock,
    private readonly hex: (n: number) => string,
  ) {}

  /** Creates (or replaces) a role with its trust policy. */
  putRole(roleArn: string, trust: SimTrust): void {
    if (!ROLE_ARN.test(roleArn)) throw new Error(`not a role ARN: ${roleArn}`);
    this.#roles.set(roleArn, trust);
  }

  /** Registers a long-lived identity (the controller's own credentials). */
  addIdentity(session: SimSession): void {
    this.#sessions.set(session.accessKeyId, session);
  }

  /**
   * The identity behind an access key, as AWS authenticates a request: unknown keys are
   * `UnrecognizedClientException`/`InvalidClientTokenId`, expired sessions `ExpiredToken`.
   */
  identify(accessKeyId: string): { ok: true; session: SimSession } | { ok: false; reason: 'unknown' | 'expired' } {
    const session = this.#sessions.get(accessKeyId);
    if (!session) return { ok: false, reason: 'unknown' };
    if (session.expiresAt !== undefined && this.clock.now() >= session.expiresAt) return { ok: false, reason: 'expired' };
    return { ok: true, session };
  }

  /** Answers one STS call made by `caller` (the identity its signature names). */
  handle(operation: string, input: any, caller: SimSession): unknown {
    if (operation === 'AssumeRole') return this.#assumeRole(input, caller);
    if (operation === 'GetCallerIdentity') return this.#callerIdentity(caller);
    throw unmodelledError(STSServiceException, 'UnknownOperationException', `The simulated account does not implement sts:${operation}.`);
  }

  #callerIdentity(c: SimSession) {
    return { UserId: `AROA${c.accessKeyId.slice(4, 20)}:${c.arn.split('/').pop()}`, Account: c.accountId, Arn: c.arn };
  }

  #assumeRole(input: { RoleArn?: string; RoleSessionName?: string; ExternalId?: string; DurationSeconds?: number }, caller: SimSession) {
    const problems: string[] = [];
    if (!input.RoleArn || input.RoleArn.length < 20) problems.push(`Value '${input.RoleArn ?? 'null'}' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20`);
    if (!input.RoleSessionName || !SESSION_NAME.test(input.RoleSessionName)) {
      problems.push(`Value '${input.RoleSessionName ?? 'null'}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`);
    }
    if (input.ExternalId !== undefined && !EXTERNAL_ID.test(input.ExternalId)) {
      problems.push(`Value '${input.ExternalId}' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*`);
    }
    const duration = input.DurationSeconds ?? 3600;
    if (duration < 900 || duration > 43200) problems.push(`Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value ${duration < 900 ? 'greater than or equal to 900' : 'less than or equal to 43200'}`);
    if (problems.length > 0) {
      throw unmodelledError(STSServiceException, 'ValidationError', `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected: ${problems.join('; ')}`);
    }
    const roleArn = input.RoleArn!;
    const trust = this.#roles.get(roleArn);
    // AWS does not tell a missing role from one that does not trust the caller.
    const denied = () =>
      unmodelledError(STSServiceException, 'AccessDenied', `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403);
    if (!trust || !trusts(trust, caller)) throw denied();
    if (trust.externalId !== undefined && input.ExternalId !== trust.externalId) throw denied();
    const max = trust.maxSessionSeconds ?? 3600;
    if (duration > max) {
      throw unmodelledError(STSServiceException, 'ValidationError', `The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`);
    }
    const [, accountId, roleName] = ROLE_ARN.exec(roleArn)!;
    const accessKeyId = `ASIA${(++this.#next).toString(16).toUpperCase().padStart(4, '0')}${this.hex(12).toUpperCase()}`;
    const expiresAt = this.clock.now() + duration * 1000;
    const arn = `arn:aws:sts::${accountId}:assumed-role/${roleName}/${input.RoleSessionName}`;
    this.#sessions.set(accessKeyId, { accessKeyId, accountId, arn, roleArn, expiresAt });
    return {
      Credentials: { AccessKeyId: accessKeyId, SecretAccessKey: this.hex(40), SessionToken: `IQoJb3JpZ2luX2Vj${this.hex(64)}`, Expiration: new Date(expiresAt) },
      AssumedRoleUser: { AssumedRoleId: `AROA${this.hex(17).toUpperCase()}:${input.RoleSessionName}`, Arn: arn },
      PackedPolicySize: 0,
      SourceIdentity: undefined,
    };
  }
}

/** True when a trust policy's principals include the caller: its role, or its account's root. */
function trusts(trust: SimTrust, caller: SimSession): boolean {
  return trust.principals.some((p) => p === caller.roleArn || p === caller.arn || p === `arn:aws:iam::${caller.accountId}:root`);
}

