import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../errors.js';
import { parseEvent, type ParsedEvent } from './events.js';
import { eventJson } from './testkit.js';

const SPECS = { bucket: 'steady-specs', prefix: 'shop-prod/' };

describe('parseEvent', () => {
  const accepted: [string, unknown, ParsedEvent][] = [
    [
      'an EventBridge rule tick: every environment',
      eventJson('eventbridge-scheduled'),
      { ok: true, invocation: { trigger: 'schedule', dryRun: false, cause: 'aws.events Scheduled Event (arn:aws:events:ap-northeast-1:123456789012:rule/steady-every-minute)' } },
    ],
    [
      'an EventBridge Scheduler tick as the CDK app configures its input',
      { source: 'aws.scheduler', 'detail-type': 'Scheduled Event', id: 'e1', time: '2026-01-01T00:00:00Z', resources: ['arn:aws:scheduler:ap-northeast-1:123456789012:schedule/default/steady'], detail: {} },
      { ok: true, invocation: { trigger: 'schedule', dryRun: false, cause: 'aws.scheduler Scheduled Event (arn:aws:scheduler:ap-northeast-1:123456789012:schedule/default/steady)' } },
    ],
    [
      'an event naming environments in its detail',
      { source: 'steady.ops', 'detail-type': 'Reconcile', detail: { environment: 'shop-prod', environments: ['messaging-prod', 'shop-prod'] } },
      { ok: true, invocation: { trigger: 'schedule', environments: ['shop-prod', 'messaging-prod'], dryRun: false, cause: 'steady.ops Reconcile' } },
    ],
    [
      'the S3 notification of a new HEAD',
      eventJson('s3-put-head'),
      { ok: true, invocation: { trigger: 's3', dryRun: false, cause: 'ObjectCreated:Put s3://steady-specs/shop-prod/HEAD' } },
    ],
    [
      'an S3 Object Created event delivered by EventBridge',
      { source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: 'steady-specs' }, object: { key: 'shop-prod/HEAD' } } },
      { ok: true, invocation: { trigger: 's3', dryRun: false, cause: 'Object Created s3://steady-specs/shop-prod/HEAD' } },
    ],
    ['a manual dry run of one environment', { environment: 'shop-prod', dryRun: true }, { ok: true, invocation: { trigger: 'manual', environments: ['shop-prod'], dryRun: true } }],
    ['a manual invoke without a payload: every environment, for real', {}, { ok: true, invocation: { trigger: 'manual', dryRun: false } }],
  ];
  it.each(accepted)('understands %s', (_name, event, expected) => {
    expect(parseEvent(event, SPECS)).toEqual(expected);
  });

  it('decodes the URL-encoded keys of S3 notifications', () => {
    const event = eventJson('s3-put-head');
    event.Records[0].s3.object.key = 'team+a/shop%2Bprod/HEAD';
    expect(parseEvent(event, { bucket: 'steady-specs', prefix: 'team a/shop+prod/' })).toMatchObject({ ok: true, invocation: { trigger: 's3' } });
  });

  const ignored: [string, (e: Record<string, any>) => void, string][] = [
    ['another key under the prefix', (e) => (e.Records[0].s3.object.key = 'shop-prod/commits/abc.json'), 's3://steady-specs/shop-prod/commits/abc.json (ObjectCreated:Put)'],
    ['another bucket', (e) => (e.Records[0].s3.bucket.name = 'other-bucket'), 's3://other-bucket/shop-prod/HEAD (ObjectCreated:Put)'],
    ['a HEAD that was deleted', (e) => (e.Records[0].eventName = 'ObjectRemoved:Delete'), 's3://steady-specs/shop-prod/HEAD (ObjectRemoved:Delete)'],
  ];
  it.each(ignored)('ignores the S3 event of %s', (_name, change, seen) => {
    const event = eventJson('s3-put-head');
    change(event);
    expect(parseEvent(event, SPECS)).toEqual({ ok: false, ignored: `not a new HEAD of s3://steady-specs/shop-prod/: ${seen}` });
  });

  const refused: [string, unknown, string][] = [
    ['a misspelt field', { environment: 'shop-prod', dryrun: true }, 'unknown field "dryrun" in the event; expected "environment", "environments", "dryRun" (or an EventBridge or S3 event)'],
    ['a dryRun that is not a boolean', { dryRun: 'yes' }, '"dryRun" must be true or false, got "yes"'],
    ['an empty environment name', { environment: ' ' }, '"environment" must be an environment name, got " "'],
    ['environments that are not a list of names', { environments: 'shop-prod' }, '"environments" must be a list of environment names, got "shop-prod"'],
    ['an unknown field in an EventBridge detail', { source: 'steady.ops', 'detail-type': 'Reconcile', detail: { env: 'x' } }, 'unknown field "detail.env" in the event; expected "detail.environment", "detail.environments", "detail.dryRun" (or an EventBridge or S3 event)'],
    ['a JSON array', [], 'expected a JSON object as the event, got an array'],
    ['a string', 'shop-prod', 'expected a JSON object as the event, got string'],
    [
      'an S3 key that is not valid URL encoding (a bare URIError before)',
      { Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'steady-specs' }, object: { key: 'shop-prod/%E0%A4%A' } } }] },
      'the S3 notification\'s object key in bucket steady-specs is not valid URL encoding (a % not followed by two hex digits of UTF-8): "shop-prod/%E0%A4%A"; S3 does not send such keys, so the event was not acted on',
    ],
    ['a 5 MB field, quoted short', { dryRun: 'y'.repeat(5_000_000) }, `"dryRun" must be true or false, got "${'y'.repeat(199)}… (4999802 more characters)`],
    ['a record that is not from S3', { Records: [{ eventSource: 'aws:sqs', body: '{}' }] }, 'a record of the event is not an S3 event notification (expected eventSource "aws:s3" with s3.bucket.name and s3.object.key)'],
  ];
  it.each(refused)('refuses %s', (_name, event, message) => {
    expect(() => parseEvent(event, SPECS)).toThrow(InvalidEventError);
    expect(() => parseEvent(event, SPECS)).toThrow(message);
  });
});
