/**
 * Why AWS could not be read (or refused a change), in one place: the classification of a failed
 * AWS call by its cause, and the words a report uses for a set of such causes. Pure: no SDK import,
 * no I/O. `AwsCallError` classifies every failure it wraps; observe and the wiring checks keep the
 * cause beside what they could not read, and the outcome of a pass (`model/outcome.ts`) says each
 * distinct cause once, at the top, rather than once per resource.
 */

/**
 * - noCredentials: the SDK found no credentials at all (its default chain came up empty);
 * - credentialsRejected: AWS refused the credentials (expired session, unknown or deleted key);
 * - unreachable: no answer from the endpoint (connection refused, DNS, timeout, reset);
 * - accessDenied: the credentials work but may not make this call;
 * - throttled: AWS kept asking steady to slow down and the SDK's retries ran out;
 * - serverError: AWS (or the endpoint steady was pointed at) answered HTTP 5xx;
 * - other: anything else (a client error that says what is wrong on its own).
 */
export type AwsCauseKind = 'noCredentials' | 'credentialsRejected' | 'unreachable' | 'accessDenied' | 'throttled' | 'serverError' | 'other';

/** One failed AWS call, classified. Plain data: it is stored in pass results and printed as JSON. */
export interface AwsCause {
  kind: AwsCauseKind;
  /** The IAM action of the call, e.g. `ecs:DescribeServices`. */
  action: string;
  /** What steady was doing, e.g. `describing services api in cluster shop-prod`. */
  doing: string;
  /** The AWS error name or the Node error code, e.g. `AccessDeniedException`, `ECONNREFUSED`. */
  code: string;
  /** The error in a phrase, e.g. `connect ECONNREFUSED 127.0.0.1:1`, `AWS answered HTTP 500 (not a JSON error body)`. */
  message: string;
  httpStatus?: number;
}

/** IAM service prefixes of steady's short service names. */
const IAM_PREFIX: Record<string, string> = { elbv2: 'elasticloadbalancing', sesv2: 'ses' };

/** `ecs:DescribeServices`, `elasticloadbalancing:DescribeTargetGroups`. */
export function iamAction(service: string, operation: string): string {
  return `${IAM_PREFIX[service] ?? service}:${operation}`;
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
  'PriorRequestNotComplete',
]);
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedException', 'AuthorizationError', 'Forbidden']);
const CREDENTIALS_REJECTED = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'IncompleteSignature',
  'IncompleteSignatureException',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);
const TIMEOUTS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'AbortError']);

/** The fields of an SDK (or Node network) error that classification looks at. */
interface RawError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * The name and message of a failed call as people should read them. The SDK turns a body it could
 * not parse into `SyntaxError: Unexpected token '<'` (JSON services) or `Unknown`/`UnknownError`
 * (XML services); both say nothing about AWS. They become `AWS answered HTTP 500 (not a JSON
 * error body)`.
 *
 * @example
 * readableError({ name: 'SyntaxError', message: "Unexpected token '<'", $metadata: { httpStatusCode: 500 } });
 * // { name: 'HttpError', message: 'AWS answered HTTP 500 (not a JSON error body)', httpStatus: 500 }
 */
export function readableError(err: unknown): { name: string; message: string; httpStatus?: number } {
  const e = (err ?? {}) as RawError;
  const status = e.$metadata?.httpStatusCode;
  // A network failure (connection refused, DNS, reset) carries a Node error code, not an AWS name.
  const name = e.name && e.name !== 'Error' ? e.name : (e.code ?? 'UnknownError');
  if (name === 'SyntaxError' && status !== undefined) {
    return { name: 'HttpError', message: status >= 300 ? `AWS answered HTTP ${status} (not a JSON error body)` : `AWS answered HTTP ${status} with a body that is not JSON`, httpStatus: status };
  }
  if ((name === 'Unknown' || name === 'UnknownError') && status !== undefined && status >= 300) {
    return { name: 'HttpError', message: `AWS answered HTTP ${status} (no AWS error code in the body)`, httpStatus: status };
  }
  return { name, message: e.message ?? String(err), ...(status !== undefined ? { httpStatus: status } : {}) };
}

/**
 * Classifies a failed AWS call by its cause.
 *
 * @example
 * classifyAwsError(err, { service: 'ecs', operation: 'DescribeServices', doing: 'describing services api in cluster prod' }).kind; // 'accessDenied'
 */
export function classifyAwsError(err: unknown, call: { service: string; operation: string; doing: string }): AwsCause {
  const e = (err ?? {}) as RawError;
  const { name, message, httpStatus } = readableError(err);
  const base = { action: iamAction(call.service, call.operation), doing: call.doing, code: name, message, ...(httpStatus !== undefined ? { httpStatus } : {}) };
  const kind: AwsCauseKind =
    name === 'CredentialsProviderError' || /could not load credentials/i.test(message)
      ? 'noCredentials'
      : CREDENTIALS_REJECTED.has(name)
        ? 'credentialsRejected'
        : ACCESS_DENIED.has(name) || httpStatus === 403
          ? 'accessDenied'
          : THROTTLING.has(name)
            ? 'throttled'
            : NETWORK_CODES.has(e.code ?? '') || NETWORK_CODES.has(name) || TIMEOUTS.has(name)
              ? 'unreachable'
              : httpStatus !== undefined && httpStatus >= 500
                ? 'serverError'
                : 'other';
  return { kind, ...base };
}

function list(items: string[], max = 4): string {
  const unique = [...new Set(items)];
  return unique.length <= max ? unique.join(', ') : `${unique.slice(0, max).join(', ')} and ${unique.length - max} more`;
}

/** Which endpoint the SDK was pointed at, for the "unreachable" advice. */
function endpointHint(env: Record<string, string | undefined>): string {
  const custom = Object.entries(env).filter(([k, v]) => k.startsWith('AWS_ENDPOINT_URL') && v);
  return custom.length > 0 ? `${custom.map(([k, v]) => `${k}=${v}`).join(', ')}` : '';
}

/** One distinct cause, in words, with what to do about it. */
export interface CauseDescription {
  kind: AwsCauseKind;
  /** A clause that follows "AWS could not be read: ", e.g. `no credentials were found (...)`. */
  text: string;
  /** What a person can do about it. */
  advice: string;
  /** The IAM actions that met this cause. */
  actions: string[];
}

/**
 * The distinct causes of a set of failed calls, each said once: all the AccessDenied calls become
 * one clause naming every action denied, all the connection failures one clause, and so on, in a
 * fixed order (the cause that explains the others first).
 *
 * @example
 * describeCauses(causes)[0].text; // "no credentials were found (the SDK's default chain: environment, shared config, SSO, instance role)"
 */
export function describeCauses(causes: AwsCause[], env: Record<string, string | undefined> = {}): CauseDescription[] {
  const order: AwsCauseKind[] = ['noCredentials', 'credentialsRejected', 'unreachable', 'accessDenied', 'throttled', 'serverError', 'other'];
  const out: CauseDescription[] = [];
  // Reads run in parallel: sort, so the same failure is said the same way every time.
  const sorted = [...causes].sort((a, b) => a.action.localeCompare(b.action) || a.doing.localeCompare(b.doing) || a.message.localeCompare(b.message));
  for (const kind of order) {
    const mine = sorted.filter((c) => c.kind === kind);
    if (mine.length === 0) continue;
    const actions = [...new Set(mine.map((c) => c.action))];
    const first = mine[0];
    switch (kind) {
      case 'noCredentials':
        out.push({
          kind,
          actions,
          text: "no credentials were found (the SDK's default chain: environment, shared config, SSO, instance role)",
          advice: 'Give steady credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or `aws sso login`, or a role where it runs) and run it again.',
        });
        break;
      case 'credentialsRejected':
        out.push({
          kind,
          actions,
          text: `AWS rejected the credentials (${first.code}: ${first.message})`,
          advice: 'Refresh the credentials (an expired session or SSO login, a deleted access key, the wrong account or partition) and run it again.',
        });
        break;
      case 'unreachable': {
        const hint = endpointHint(env);
        out.push({
          kind,
          actions,
          text: `the endpoint could not be reached (${list(mine.map((c) => c.message), 2)})`,
          advice: `Check the network, the region${hint ? ` and ${hint}` : ' and AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE>'}, then run it again.`,
        });
        break;
      }
      case 'accessDenied':
        out.push({
          kind,
          actions,
          // Two calls are named with what they were for; more, by their actions (the JSON has them all).
          text:
            mine.length <= 2
              ? `access denied to ${list(mine.map((c) => `${c.action} (${c.doing})`))}`
              : `access denied to ${actions.length} action${actions.length === 1 ? '' : 's'}: ${list(actions, 6)}`,
          advice: `Allow ${list(actions, 8)} to the role or user steady runs as (deploy/policy.ts has the statements steady needs).`,
        });
        break;
      case 'throttled':
        out.push({
          kind,
          actions,
          text: `AWS kept throttling ${list(actions, 3)} and the SDK's retries ran out`,
          advice: 'The next pass will most likely get through; if it keeps happening, reconcile fewer environments at once or ask AWS for a higher rate.',
        });
        break;
      case 'serverError':
        out.push({
          kind,
          actions,
          text: `${list(mine.map((c) => c.message), 2)} to ${list(actions, 3)}`,
          advice: 'A fault on the side of AWS (or of the endpoint steady was pointed at): the next pass will most likely get through.',
        });
        break;
      case 'other':
        out.push({ kind, actions, text: list(mine.map((c) => `${c.doing}: ${c.code}: ${c.message}`), 2), advice: 'See the message; the next pass reads everything again.' });
        break;
    }
  }
  return out;
}
