/**
 * Secrets written where they do not belong. A spec references secrets (Secrets Manager or SSM
 * Parameter Store ARNs); it never holds one, in any field: an environment variable, a migration's
 * command, a log driver's options, a label. Two rules find them:
 *
 * - by value: well-known credential formats (AWS access key ids, GitHub, GitLab and Slack tokens,
 *   Slack and Discord webhook URLs, bearer and basic credentials, private keys, JSON Web Tokens,
 *   URLs with a password, `PASSWORD=...` / `--password ...` in a command line);
 * - by name: a literal value under a name that says it is a secret (`DB_PASSWORD`, `GITHUB_PAT`,
 *   `SLACK_WEBHOOK`, `AUTH`, `apiSecretKey`, `splunk-token`).
 *
 * A small pattern list on purpose: each pattern is specific enough not to fire on ARNs, image
 * digests, hashes or ordinary settings. The same patterns redact reports ({@link redactSecrets}),
 * the second line of defence for values that come from AWS rather than from a spec.
 *
 * Nothing here ever returns or prints the secret itself.
 */
import { isMap, isNode, isPair, isScalar, isSeq } from 'yaml';
import { formatPath } from './messages.js';

interface ValuePattern {
  /** What it is, for the message: `a GitHub token`. */
  what: string;
  pattern: RegExp;
  /** The part to redact (group 1) when not the whole match, e.g. only a URL's password. */
  group?: boolean;
  /** A further check of a match, e.g. that basic credentials decode to `user:password`. */
  accept?: (match: RegExpExecArray) => boolean;
}

/** Every pattern is global: {@link redactSecrets} replaces all matches. */
const VALUE_PATTERNS: ValuePattern[] = [
  { what: 'a private key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)?/g },
  { what: 'an AWS access key id', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g },
  { what: 'a GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g },
  { what: 'a GitLab token', pattern: /\bglpat-[A-Za-z0-9_-]{20,}/g },
  { what: 'a Slack token', pattern: /\b(?:xox[abposre]-[A-Za-z0-9-]{10,}|xapp-\d-[A-Za-z0-9-]{10,})/g },
  { what: 'a Slack webhook URL', pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_/-]+/g },
  { what: 'a Discord webhook URL', pattern: /https:\/\/(?:(?:ptb|canary)\.)?discord(?:app)?\.com\/api\/webhooks\/\d+\/[A-Za-z0-9_-]+/g },
  { what: 'a JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  // A token after "Bearer": long, with a digit (so "Bearer authentication" is prose, not a token).
  { what: 'a bearer token', pattern: /\bBearer\s+((?=[A-Za-z0-9._~+/-]*\d)[A-Za-z0-9._~+/-]{16,}=*)/gi, group: true },
  { what: 'basic-auth credentials', pattern: /\bBasic\s+([A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])/g, group: true, accept: (m) => Buffer.from(m[1], 'base64').toString('latin1').includes(':') },
  // scheme://user:password@host; not a ${VARIABLE} filled in at run time.
  { what: 'a URL with a password', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:((?!\$)[^/\s@]+)@/gi, group: true },
];

/**
 * The end of a name that says its value is a secret. Long words may end a longer one
 * (`PGPASSWORD`, `CSRFTOKEN`); short ones must be words of their own (`GITHUB_PAT`, not `BYPASS`).
 */
const SECRET_NAME =
  /(?:PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|APIKEY|CREDENTIALS?|AUTHORIZATION)$|(?:^|_)(?:PASS|PWD|PAT|AUTH|SECRET_KEY|API_KEY|ACCESS_KEY|PRIVATE_KEY|SIGNING_KEY|ENCRYPTION_KEY|MASTER_KEY|WEBHOOK|WEBHOOK_URL)$/;

/** `DB_PASSWORD`, `dbPassword`, `db-password`, `db.password` -> `DB_PASSWORD`. */
function normalizeName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[-.\s]+/g, '_')
    .toUpperCase();
}

/**
 * True for a name that says its value is a secret.
 *
 * @example
 * isSecretName('GITHUB_PAT') // true
 * isSecretName('TOKEN_TTL')  // false
 */
export function isSecretName(name: string): boolean {
  // Most names hold none of the words: say so before normalizing (reports are scanned whole).
  return MAYBE_SECRET_NAME.test(name) && SECRET_NAME.test(normalizeName(name.replace(/^-+/, '')));
}

const MAYBE_SECRET_NAME = /pass|pwd|secret|token|key|credential|pat|auth|webhook/i;

/**
 * True when a value under a secret's name is a literal that may be the secret: not empty, not a
 * reference (an ARN, `$VAR`, `${VAR}`, an absolute file path), not a switch (`true`, `none`, ...).
 */
export function isLiteralValue(value: string): boolean {
  const v = value.trim();
  if (v === '' || /^arn:aws[a-z-]*:/.test(v) || /^\$\{?[A-Za-z_]/.test(v) || /^\/[\w./-]*$/.test(v)) return false;
  return !/^(?:true|false|yes|no|on|off|none|null|enabled|disabled|required|optional)$/i.test(v);
}

/** `NAME=value` or `--name=value` in a command line, where the name says the value is a secret. */
const INLINE_ASSIGNMENT = /(?:^|[\s;&|(])-{0,2}([A-Za-z_][A-Za-z0-9_.-]*)=('[^']*'|"[^"]*"|[^\s'";&|)]+)/g;
/** `--password value` in a command line. */
const INLINE_FLAG = /(?:^|\s)--?([A-Za-z][A-Za-z0-9_-]*)\s+('[^']*'|"[^"]*"|[^\s'";&|-][^\s'";&|]*)/g;

/**
 * What kind of secret `value` holds, or undefined.
 *
 * @example
 * secretIn('Bearer eyJhbGciOi...')          // 'a bearer token'
 * secretIn('arn:aws:secretsmanager:...')   // undefined
 */
export function secretIn(value: string): string | undefined {
  for (const p of VALUE_PATTERNS) {
    for (const m of value.matchAll(p.pattern)) if (!p.accept || p.accept(m)) return p.what;
  }
  for (const re of [INLINE_ASSIGNMENT, INLINE_FLAG]) {
    for (const m of value.matchAll(re)) {
      if (isSecretName(m[1]) && !/^no[-_]/i.test(m[1]) && isLiteralValue(unquote(m[2]))) return re === INLINE_FLAG ? `the value of -${m[0].includes('--') ? '-' : ''}${m[1]}` : `the value of ${m[1]}=`;
    }
  }
  return undefined;
}

/**
 * Whether `value` under the name `name` is a secret written down: by its value, or by its name.
 * The answer says which, never what the value is.
 */
export function secretFinding(name: string | undefined, value: string): string | undefined {
  const byValue = secretIn(value);
  if (byValue) return byValue;
  if (name !== undefined && isSecretName(name) && isLiteralValue(value)) return `the name ${name} says it is one`;
  return undefined;
}

/** Kept for the schema's tests: a plain environment variable that holds a secret. */
export function looksLikeLiteralSecret(name: string, value: string): boolean {
  return secretFinding(name, value) !== undefined;
}

/** What the message says after the kind of secret: what to do instead. */
export const SECRET_ADVICE =
  'secrets are referenced, never written into a spec: store it in Secrets Manager or SSM Parameter Store and name its ARN under secrets (or logConfiguration.secretOptions)';

/**
 * Walks a YAML document's nodes (before anything is turned into data) and reports every string
 * that holds a secret at its own position: by value anywhere, by name for a mapping's values, and
 * `--password VALUE` across two items of a list. A key that is itself secret-shaped is reported
 * at its mapping's path, never by its text. `fieldPath` is the path as a list, for a document
 * rendered from an overlay (its nodes have no offsets; the path finds where the value was written).
 */
export function scanSecrets(
  node: unknown,
  at: (string | number)[],
  report: (offset: number, path: string, message: string, fieldPath: (string | number)[]) => void,
): void {
  const say = (n: unknown, path: (string | number)[], what: string) =>
    report(isNode(n) ? (n.range?.[0] ?? 0) : 0, formatPath(path), `looks like a secret (${what}) written into the spec; ${SECRET_ADVICE}`, path);
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key !== undefined && secretIn(key)) {
        say(pair.key, at, `${secretIn(key)}, as a key`);
        continue;
      }
      const path = key === undefined ? at : [...at, key];
      const text = scalarText(pair.value);
      if (text !== undefined) {
        const found = secretFinding(key, text);
        if (found) say(pair.value, path, found);
      } else {
        scanSecrets(pair.value, path, report);
      }
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const previous = i > 0 ? node.items[i - 1] : undefined;
      const before = scalarText(previous);
      const flag = before !== undefined && /^--?[A-Za-z][\w-]*$/.test(before) ? before : undefined;
      const value = scalarText(item);
      if (value !== undefined) {
        const found = secretIn(value) ?? (flag && isSecretName(flag) && !/^--?no[-_]/i.test(flag) && isLiteralValue(value) && !value.startsWith('-') ? `the value of ${flag}` : undefined);
        if (found) say(item, [...at, i], found);
      } else {
        scanSecrets(item, [...at, i], report);
      }
    });
  } else if (isScalar(node) && typeof node.value === 'string') {
    const found = secretIn(node.value);
    if (found) say(node, at, found);
  }
}

/** The text of a string or number scalar (YAML reads `PASSWORD: 12345` as a number). */
function scalarText(node: unknown): string | undefined {
  return isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number') ? String(node.value) : undefined;
}

/**
 * Replaces every secret-shaped part of `text` with `[redacted]`: the value patterns above, and the
 * value of `NAME=value`, `--name value`, `"NAME": "value"` and `{"name": "NAME", "value": "..."}`
 * (how ECS lists environment variables) when NAME says it is a secret. A URL keeps its user and
 * host; only the password goes.
 *
 * @example
 * redactSecrets('postgres://shop:hunter2@db/shop') // 'postgres://shop:[redacted]@db/shop'
 */
export function redactSecrets(text: string): string {
  let out = text;
  for (const p of VALUE_PATTERNS) {
    out = out.replace(p.pattern, (...args) => {
      const m = args.slice(0, -2) as unknown as RegExpExecArray;
      if (p.accept && !p.accept(m)) return m[0];
      return p.group ? m[0].replace(m[1], REDACTED) : REDACTED;
    });
  }
  // The rest needs a secret's name somewhere in the text: most report text has none.
  if (!MAYBE_SECRET_NAME.test(out)) return out;
  // ECS's {"name":"DB_PASSWORD","value":"..."} and JSON's "DB_PASSWORD":"..."
  out = out.replace(/("name"\s*:\s*"([^"\\]*)"\s*,\s*"value"\s*:\s*)"((?:[^"\\]|\\.)*)"/g, (all, head: string, name: string, value: string) =>
    isSecretName(name) && isLiteralValue(value) ? `${head}"${REDACTED}"` : all,
  );
  out = out.replace(/"([^"\\]+)"(\s*:\s*)"((?:[^"\\]|\\.)*)"/g, (all, name: string, sep: string, value: string) => (isSecretName(name) && isLiteralValue(value) ? `"${name}"${sep}"${REDACTED}"` : all));
  // A command as a JSON list: ["psql","--password","hunter2"]
  out = out.replace(/"(--?[A-Za-z][\w-]*)"(\s*,\s*)"((?:[^"\\]|\\.)*)"/g, (all, flag: string, sep: string, value: string) =>
    isSecretName(flag) && !/^--?no[-_]/i.test(flag) && isLiteralValue(value) && !value.startsWith('-') ? `"${flag}"${sep}"${REDACTED}"` : all,
  );
  for (const re of [INLINE_ASSIGNMENT, INLINE_FLAG]) {
    out = out.replace(re, (all, name: string, value: string) => (isSecretName(name) && !/^no[-_]/i.test(name) && isLiteralValue(unquote(value)) && value !== REDACTED ? all.replace(value, REDACTED) : all));
  }
  return out;
}

/**
 * A copy of `value` with {@link redactSecrets} applied to every string in it, and every string
 * whose key (or a diff entry's `path`) names a secret replaced whole. Plain data in, plain data out.
 */
export function redactDeep<T>(value: T): T {
  return redactValue(value, undefined) as T;
}

function redactValue(value: unknown, name: string | undefined): unknown {
  if (typeof value === 'string') return name !== undefined && isSecretName(name) && isLiteralValue(value) && value !== REDACTED ? REDACTED : redactSecrets(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, undefined));
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  // A field-level diff: `{ path: 'taskDefinition.containers[app].environment.DB_PASSWORD', before, after }`.
  const field = typeof record.path === 'string' ? lastName(record.path) : undefined;
  return Object.fromEntries(
    Object.entries(record).map(([k, v]) => [k, redactValue(v, (k === 'before' || k === 'after') && field ? field : k)]),
  );
}

/** The last segment of a field path: `a.b[c].DB_PASSWORD` -> `DB_PASSWORD`. */
function lastName(path: string): string {
  return path.split(/[.[\]]/).filter(Boolean).at(-1) ?? path;
}

function unquote(v: string): string {
  return /^(['"]).*\1$/s.test(v) ? v.slice(1, -1) : v;
}

/** What a redacted part reads as. */
export const REDACTED = '[redacted]';
