/**
 * What the Lambda is asked to do, from the event that woke it: a tick of the schedule, a new
 * commit in the spec bucket, or a person invoking it by hand. Level-triggered: no event carries
 * state; each only says *which* environments to reconcile *now*, and how (dry run or not).
 *
 * Accepted events:
 * - EventBridge (rule or Scheduler) — `{ "source", "detail-type", "detail": { environment?, environments?, dryRun? } }`:
 *   every environment of the published commit, or the ones `detail` names.
 * - S3 `ObjectCreated:*` notifications (direct, or through EventBridge as `Object Created`) for the
 *   `HEAD` pointer under the configured bucket and prefix: right away, the environments the new HEAD
 *   renders differently (`changes.ts`; all of them when that cannot be told). HEAD is
 *   written last by `steady apply` (and is the only key a rollback writes), so it is the commit point.
 *   Events for other keys or buckets are ignored.
 * - A manual invoke — `{ "environment"?: "...", "environments"?: [...], "dryRun"?: true }`.
 *
 * Anything else is an {@link InvalidEventError}: a typo such as `"dryrun": true` must not turn into a
 * real reconcile.
 */
import type { S3EventRecord } from 'aws-lambda';
import { InvalidEventError } from '../errors.js';
import { keys, type SpecLocation } from '../source/index.js';
import { capText, summariseNames } from './logsafe.js';

/** What one invocation does. */
export interface Invocation {
  trigger: 'schedule' | 's3' | 'manual';
  /** Only these environments; every environment of the commit when absent. */
  environments?: string[];
  /** Plan and report only: no lease, no change, no notification. */
  dryRun: boolean;
  /** What caused it, for the logs: the rule or schedule, the S3 key. */
  cause?: string;
}

/** The event, understood: something to do, or a reason to do nothing. */
export type ParsedEvent = { ok: true; invocation: Invocation } | { ok: false; ignored: string };

const SELECTION_FIELDS = new Set(['environment', 'environments', 'dryRun']);

/**
 * Works out what an event asks for. Throws InvalidEventError for an event it does not recognise.
 *
 * @example
 * parseEvent({ environment: 'shop-prod', dryRun: true }, { bucket: 'my-specs', prefix: 'shop/' });
 * // { ok: true, invocation: { trigger: 'manual', environments: ['shop-prod'], dryRun: true } }
 */
export function parseEvent(event: unknown, specs: SpecLocation): ParsedEvent {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new InvalidEventError(`expected a JSON object as the event, got ${event === null ? 'null' : Array.isArray(event) ? 'an array' : typeof event}`);
  }
  const e = event as Record<string, unknown>;
  if (Array.isArray(e.Records)) return fromS3Records(e.Records as S3EventRecord[], specs);
  if (typeof e.source === 'string' && typeof e['detail-type'] === 'string') {
    if (e.source === 'aws.s3') return fromEventBridgeS3(e, specs);
    const detail = e.detail ?? {};
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) throw new InvalidEventError(`the event's detail must be an object`);
    const selection = readSelection(detail as Record<string, unknown>, 'detail.');
    const resources = Array.isArray(e.resources) ? (e.resources as unknown[]).filter((r) => typeof r === 'string') : [];
    return { ok: true, invocation: { trigger: 'schedule', ...selection, cause: `${e.source} ${e['detail-type']}${resources.length ? ` (${resources.join(', ')})` : ''}` } };
  }
  return { ok: true, invocation: { trigger: 'manual', ...readSelection(e, '') } };
}

function readSelection(fields: Record<string, unknown>, where: string): Pick<Invocation, 'environments' | 'dryRun'> {
  const unknown = Object.keys(fields).filter((k) => !SELECTION_FIELDS.has(k));
  if (unknown.length > 0) {
    throw new InvalidEventError(
      `unknown field${unknown.length === 1 ? '' : 's'} ${summariseNames(unknown.map((k) => capText(`"${where}${k}"`, 100)), 10)} in the event; ` +
        `expected ${[...SELECTION_FIELDS].map((k) => `"${where}${k}"`).join(', ')} (or an EventBridge or S3 event)`,
    );
  }
  const { environment, environments, dryRun } = fields;
  if (dryRun !== undefined && typeof dryRun !== 'boolean') throw new InvalidEventError(`"${where}dryRun" must be true or false, got ${shown(dryRun)}`);
  const names: string[] = [];
  if (environment !== undefined) {
    if (typeof environment !== 'string' || environment.trim() === '') throw new InvalidEventError(`"${where}environment" must be an environment name, got ${shown(environment)}`);
    names.push(environment.trim());
  }
  if (environments !== undefined) {
    if (!Array.isArray(environments) || environments.some((n) => typeof n !== 'string' || n.trim() === '')) {
      throw new InvalidEventError(`"${where}environments" must be a list of environment names, got ${shown(environments)}`);
    }
    names.push(...environments.map((n: string) => n.trim()));
  }
  return { ...(names.length > 0 ? { environments: [...new Set(names)] } : {}), dryRun: dryRun === true };
}

/** A value an event gave, for an error message: JSON, cut short when long. */
function shown(value: unknown): string {
  return capText(JSON.stringify(value) ?? String(value), 200);
}

function fromS3Records(records: S3EventRecord[], specs: SpecLocation): ParsedEvent {
  const head = keys.pointer(specs);
  const seen: string[] = [];
  for (const r of records) {
    if (r?.eventSource !== 'aws:s3' || !r.s3?.bucket?.name || typeof r.s3.object?.key !== 'string') {
      throw new InvalidEventError('a record of the event is not an S3 event notification (expected eventSource "aws:s3" with s3.bucket.name and s3.object.key)');
    }
    const key = decodeS3Key(r.s3.object.key, r.s3.bucket.name);
    seen.push(`s3://${r.s3.bucket.name}/${key} (${r.eventName})`);
    if (r.s3.bucket.name === specs.bucket && key === head && String(r.eventName).startsWith('ObjectCreated:')) {
      return { ok: true, invocation: { trigger: 's3', dryRun: false, cause: `${r.eventName} s3://${specs.bucket}/${head}` } };
    }
  }
  return { ok: false, ignored: `not a new HEAD of s3://${specs.bucket}/${specs.prefix}: ${summariseNames(seen.map((k) => capText(k, 200)), 5)}` };
}

/** An S3 notification's object key, decoded (URL-encoded, with spaces as "+"), or InvalidEventError saying where. */
function decodeS3Key(raw: string, bucket: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    throw new InvalidEventError(
      `the S3 notification's object key in bucket ${bucket} is not valid URL encoding (a % not followed by two hex digits of UTF-8): ${JSON.stringify(capText(raw, 200))}; S3 does not send such keys, so the event was not acted on`,
    );
  }
}

function fromEventBridgeS3(e: Record<string, unknown>, specs: SpecLocation): ParsedEvent {
  const detail = (e.detail ?? {}) as { bucket?: { name?: unknown }; object?: { key?: unknown } };
  const bucket = detail.bucket?.name;
  const key = detail.object?.key;
  const head = keys.pointer(specs);
  if (e['detail-type'] === 'Object Created' && bucket === specs.bucket && key === head) {
    return { ok: true, invocation: { trigger: 's3', dryRun: false, cause: `Object Created s3://${specs.bucket}/${head}` } };
  }
  return { ok: false, ignored: `not a new HEAD of s3://${specs.bucket}/${specs.prefix}: ${String(e['detail-type'])} s3://${String(bucket)}/${String(key)}` };
}
