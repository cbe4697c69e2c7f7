/**
 * Values that look like secrets are never shown: a task definition made by hand may hold a password
 * in a plain environment variable or a log option, and a plan's diff (printed, sent to Slack, written
 * by `steady import`) must not repeat it. Pure.
 */
import { looksLikeLiteralSecret } from '../spec/schema.js';

/** What a diff shows instead of a value that looks like a secret. */
export const HIDDEN = '(not shown: looks like a secret)';

/**
 * A literal value that must not be shown or copied: what the spec loader refuses as a secret
 * (`DB_PASSWORD`, a URL with a password), and keys that name a credential (`apikey`, `token`).
 *
 * @example
 * secretLooking('apikey', 'dd-0123') // true
 * secretLooking('DD_API_KEY', 'arn:aws:secretsmanager:...') // false: a reference, not the secret
 */
export function secretLooking(name: string, value: string): boolean {
  return looksLikeLiteralSecret(name, value) || (value !== '' && !value.startsWith('arn:') && /(api[-_]?key|token|secret|passw(or)?d|credentials?)$/i.test(name));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `value` with every string that looks like a secret replaced by `HIDDEN`: a `{ name, value }` item
 * by its name, a map entry by its key, and `value` itself by `name` when it is a string.
 */
export function redact(value: unknown, name?: string): unknown {
  if (typeof value === 'string') return name !== undefined && secretLooking(name, value) ? HIDDEN : value;
  if (Array.isArray(value)) return value.map((item) => redact(item, name));
  if (!isObject(value)) return value;
  if (typeof value.name === 'string' && typeof value.value === 'string') {
    return { ...value, value: secretLooking(value.name, value.value) ? HIDDEN : value.value };
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, k)]));
}

/** The name a diff path ends in: `...environment[DB_PASSWORD]` -> `DB_PASSWORD`, `...options.apikey` -> `apikey`. */
export function leafName(path: string): string | undefined {
  return /\[([^\]]+)\]$/.exec(path)?.[1] ?? /\.([^.[\]]+)$/.exec(path)?.[1] ?? path;
}
