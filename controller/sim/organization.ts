import { STSClient } from '@aws-sdk/client-sts';
import type { Client } from '@smithy/core/client';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { createAwsClients, serviceOfClient, type AwsClients } from '../aws/clients.js';
import { BASE_EXCEPTION, JSON_PROTOCOL, SimAccount, type SimCall, type SimServiceName } from './account.js';
import { SimClock } from './clock.js';
import { requestId, unmodelledError } from './errors.js';
import { ClockRetryStrategy } from './retry.js';
import { StsSim, type SimSession, type SimTrust } from './sts.js';
import { STSServiceException } from '@aws-sdk/client-sts';

export interface SimOrganizationOptions {
  /** The controller's account and region (default `123456789012`, `ap-northeast-1`: the single-account default). */
  home?: { accountId: string; region: string };
  /** Name of the role the controller runs as in its account (default `steady-controller`). */
  controllerRole?: string;
  seed?: number;
  start?: number | Date;
}

/** The credentials `SimAccount.clients()` signs with: the controller's own identity in an organisation. */
export const CONTROLLER_ACCESS_KEY = 'ASIASIMULATED';

/** Route 53 and CloudFront are global: one per account, whatever region a request is signed for. */
const GLOBAL_SERVICES = new Set<SimServiceName>(['route53', 'cloudfront']);

/**
 * Simulated accounts: one `SimAccount` per account id and region, sharing one clock, with the
 * simulated STS in front. Calls are routed the way AWS routes them: by the access key and region
 * in the request's signature. The controller's own credentials (`CONTROLLER_ACCESS_KEY`) act in the
 * home account as its controller role; credentials from AssumeRole act in the role's account.
 * The single-account default (`new SimAccount()`) is untouched by all this: an organisation is a
 * layer above it.
 *
 * @example
 * const org = new SimOrganization();
 * const roleArn = org.trustController('210987654321', 'steady-target', { externalId: 'shop' });
 * const sts = org.stsClient();
 * const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'pass-1', ExternalId: 'shop' }));
 */
export class SimOrganization {
  readonly clock: SimClock;
  readonly sts: StsSim;
  readonly home: SimAccount;
  readonly controllerRoleArn: string;
  /** STS calls, in order (the services' calls are in each account's `calls`). */
  readonly stsCalls: SimCall[] = [];
  readonly #accounts = new Map<string, SimAccount>();
  readonly #global = new Map<string, SimAccount>();
  readonly #seed: number;
  #seq = 0;

  constructor(options: SimOrganizationOptions = {}) {
    this.clock = new SimClock(options.start);
    this.#seed = options.seed ?? 1;
    const home = options.home ?? { accountId: '123456789012', region: 'ap-northeast-1' };
    this.sts = new StsSim(this.clock, (n) => this.home.hex(n));
    const role = options.controllerRole ?? 'steady-controller';
    this.controllerRoleArn = `arn:aws:iam::${home.accountId}:role/${role}`;
    this.sts.addIdentity({
      accessKeyId: CONTROLLER_ACCESS_KEY,
      accountId: home.accountId,
      roleArn: this.controllerRoleArn,
      arn: `arn:aws:sts::${home.accountId}:assumed-role/${role}/steady`,
    });
    this.home = this.account(home.accountId, home.region);
  }

  /** The simulated account `accountId` in `region` (created on first use, as every region of a real account exists). */
  account(accountId: string, region?: string): SimAccount {
    if (!/^\d{12}$/.test(accountId)) throw new Error(`not an AWS account id: ${accountId}`);
    const r = region ?? this.#global.get(accountId)?.region ?? this.home.region;
    const key = `${accountId}/${r}`;
    let account = this.#accounts.get(key);
    if (!account) {
      const global = this.#global.get(accountId);
      account = new SimAccount({ accountId, region: r, clock: this.clock, seed: this.#seed + this.#accounts.size * 104729, ...(global ? { global } : {}) });
      this.#accounts.set(key, account);
      if (!global) this.#global.set(accountId, account);
      else global.route53.addRegion(account);
    }
    return account;
  }

  /** Every simulated account and region created so far. */
  accounts(): SimAccount[] {
    return [...this.#accounts.values()];
  }

  /** Creates a role in `accountId` whose trust policy names `trust`; returns its ARN. */
  putRole(accountId: string, roleName: string, trust: SimTrust): string {
    const arn = `arn:aws:iam::${accountId}:role/${roleName}`;
    this.sts.putRole(arn, trust);
    return arn;
  }

  /** A role in `accountId` that trusts the controller's role only (what the target-account stack deploys). */
  trustController(accountId: string, roleName = 'steady-target', options: { externalId?: string } = {}): string {
    return this.putRole(accountId, roleName, { principals: [this.controllerRoleArn], ...options });
  }

  /** Routes an SDK client's calls (an `AwsClients` member or an `STSClient`) to the organisation, by the identity that signed them. */
  attach<C extends Client<any, any, any, any>>(client: C): C {
    const sts = client instanceof STSClient;
    const service = serviceOfClient(client);
    if (!sts && !service) throw new Error(`the simulated organisation does not simulate ${client.constructor.name}`);
    client.middlewareStack.add(
      (_next, context) => async (args: any) => {
        const operation = String(context.commandName).replace(/Command$/, '');
        const output = sts ? this.#sts(operation, args) : await this.#route(service!, operation, args);
        return { output: { ...(output as object), $metadata: { httpStatusCode: 200, requestId: requestId() } }, response: {} };
      },
      { step: 'deserialize', priority: 'high', name: 'steadySimulatedOrganization', override: true },
    );
    return client;
  }

  /**
   * A full set of clients for `region`, signing with `credentials` (default: the controller's
   * own), attached to the organisation. As in `SimAccount.clients()`, steady's pacing and the SDK's
   * standard retries wait on the organisation's clock, so neither costs real time.
   */
  clients(options: { region?: string; credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider } = {}): AwsClients {
    const clients = createAwsClients({
      region: options.region ?? this.home.region,
      credentials: options.credentials ?? { accessKeyId: CONTROLLER_ACCESS_KEY, secretAccessKey: 'simulated' },
      retryStrategy: () => new ClockRetryStrategy(this.clock),
      clock: this.clock,
    });
    for (const client of Object.values(clients)) this.attach(client);
    return clients;
  }

  /** An STS client signing with the controller's credentials. */
  stsClient(): STSClient {
    return this.attach(new STSClient({ region: this.home.region, credentials: { accessKeyId: CONTROLLER_ACCESS_KEY, secretAccessKey: 'simulated' } }));
  }

  #identify(args: any, errorFor: (code: 'unknown' | 'expired') => Error): { session: SimSession; region: string } {
    const { accessKeyId, region } = signatureOf(args.request);
    const who = this.sts.identify(accessKeyId);
    if (!who.ok) throw errorFor(who.reason);
    return { session: who.session, region };
  }

  #sts(operation: string, args: any): unknown {
    const call: SimCall = { seq: ++this.#seq, service: 'sts' as SimServiceName, operation, input: structuredClone(args.input ?? {}), at: this.clock.now() };
    this.stsCalls.push(call);
    try {
      const { session } = this.#identify(args, (reason) =>
        reason === 'expired'
          ? unmodelledError(STSServiceException, 'ExpiredToken', 'The security token included in the request is expired')
          : unmodelledError(STSServiceException, 'InvalidClientTokenId', 'The security token included in the request is invalid.', 403),
      );
      return this.sts.handle(operation, args.input ?? {}, session);
    } catch (err) {
      call.error = (err as Error).name;
      throw err;
    }
  }

  async #route(service: SimServiceName, operation: string, args: any): Promise<unknown> {
    const json = JSON_PROTOCOL.has(service);
    const { session, region } = this.#identify(args, (reason) =>
      reason === 'expired'
        ? unmodelledError(BASE_EXCEPTION[service], json ? 'ExpiredTokenException' : 'ExpiredToken', 'The security token included in the request is expired')
        : unmodelledError(BASE_EXCEPTION[service], json ? 'UnrecognizedClientException' : 'InvalidClientTokenId', 'The security token included in the request is invalid.', json ? 400 : 403),
    );
    const account = GLOBAL_SERVICES.has(service) ? this.account(session.accountId) : this.account(session.accountId, region);
    return account.handle(service, operation, args.input);
  }
}

/** The access key and region of a SigV4-signed request: `Credential=<key>/<date>/<region>/<service>/aws4_request`. */
function signatureOf(request: { headers?: Record<string, string> } | undefined): { accessKeyId: string; region: string } {
  const auth = request?.headers?.authorization ?? request?.headers?.Authorization ?? '';
  const m = /Credential=([^/]+)\/\d{8}\/([^/]+)\//.exec(auth);
  if (!m) return { accessKeyId: '', region: '' };
  return { accessKeyId: m[1], region: m[2] };
}
