import { describe, expect, it } from 'vitest';
import type { MaintenanceCloudFrontSpec, MaintenanceDoc } from '../spec/schema.js';
import {
  MAX_RESTORE_PARTS,
  describeMaintenance,
  describeRule,
  distributionState,
  isSwitch,
  maintenanceBody,
  maintenanceRule,
  maintenanceTagKeys,
  markerValue,
  parseMarker,
  restoreFromTags,
  restoreTags,
  ruleAnswers,
  switchOff,
  switchOn,
  type DistributionConfigDoc,
} from './maintenance.js';

/** A storefront distribution: Next.js from one bucket, the maintenance page in another; an SPA-style 403 mapping. */
function storefront(): DistributionConfigDoc {
  return {
    CallerReference: 'shop-1',
    Comment: 'shop storefront',
    Origins: { Quantity: 2, Items: [{ Id: 'shop-web', DomainName: 'shop-web.s3.ap-northeast-1.amazonaws.com' }, { Id: 'shop-maintenance', DomainName: 'shop-maintenance.s3.ap-northeast-1.amazonaws.com' }] },
    DefaultCacheBehavior: { TargetOriginId: 'shop-web', ViewerProtocolPolicy: 'redirect-to-https', FunctionAssociations: { Quantity: 1, Items: [{ EventType: 'viewer-request', FunctionARN: 'arn:aws:cloudfront::123456789012:function/next-routes' }] } },
    CacheBehaviors: { Quantity: 2, Items: [{ PathPattern: '/_next/static/*', TargetOriginId: 'shop-web', Compress: true }, { PathPattern: '/assets/*', TargetOriginId: 'shop-web' }] },
    CustomErrorResponses: { Quantity: 1, Items: [{ ErrorCode: 403, ResponsePagePath: '/index.html', ResponseCode: '200', ErrorCachingMinTTL: 0 }] },
    Enabled: true,
    HttpVersion: 'http2and3',
  };
}

const CF: MaintenanceCloudFrontSpec = {
  distribution: 'E2QWRUHAPOMQZL',
  origin: 'shop-maintenance',
  errorResponse: { pagePath: '/maintenance.html', errorCodes: [403, 503], responseCode: 503, cacheSeconds: 10 },
};

describe('maintenance in a CloudFront configuration', () => {
  it('switches every behaviour to the maintenance origin and maps the error codes to the page, changing nothing else', () => {
    const config = storefront();

    const on = switchOn(config, CF);

    const expected = storefront();
    expected.DefaultCacheBehavior.TargetOriginId = 'shop-maintenance';
    expected.CacheBehaviors.Items[0].TargetOriginId = 'shop-maintenance';
    expected.CacheBehaviors.Items[1].TargetOriginId = 'shop-maintenance';
    expected.CustomErrorResponses = {
      Quantity: 2,
      Items: [
        { ErrorCode: 403, ResponsePagePath: '/maintenance.html', ResponseCode: '503', ErrorCachingMinTTL: 10 },
        { ErrorCode: 503, ResponsePagePath: '/maintenance.html', ResponseCode: '503', ErrorCachingMinTTL: 10 },
      ],
    };
    expect(on.config).toEqual(expected);
    expect(config).toEqual(storefront());
    expect(on.restore).toEqual({
      behaviors: { '*': 'shop-web', '/_next/static/*': 'shop-web', '/assets/*': 'shop-web' },
      errorResponses: { '403': { ErrorCode: 403, ResponsePagePath: '/index.html', ResponseCode: '200', ErrorCachingMinTTL: 0 }, '503': null },
      origin: 'shop-maintenance',
      page: { ErrorCode: 0, ResponsePagePath: '/maintenance.html', ResponseCode: '503', ErrorCachingMinTTL: 10 },
    });
    expect(on.diff.map((d) => `${d.path}: ${d.before} -> ${d.after}`)).toEqual([
      'behaviour * origin: shop-web -> shop-maintenance',
      'behaviour /_next/static/* origin: shop-web -> shop-maintenance',
      'behaviour /assets/* origin: shop-web -> shop-maintenance',
      'error response 403: /index.html 200 cached 0s -> /maintenance.html 503 cached 10s',
      'error response 503: (none) -> /maintenance.html 503 cached 10s',
    ]);
    expect(distributionState(on.config, CF)).toBe('on');
    expect(distributionState(config, CF)).toBe('off');
  });

  it('switches only the behaviours named, and reports partial switches as partial', () => {
    const cf = { ...CF, behaviors: ['*'] };
    const on = switchOn(storefront(), cf);

    expect(on.config.CacheBehaviors).toEqual(storefront().CacheBehaviors);
    expect(on.restore.behaviors).toEqual({ '*': 'shop-web' });
    const half = structuredClone(on.config);
    half.CustomErrorResponses = storefront().CustomErrorResponses;
    expect(distributionState(half, cf)).toBe('partial');
  });

  it('puts back exactly what was there, and the round trip is byte for byte the original', () => {
    const on = switchOn(storefront(), CF);

    const off = switchOff(on.config, on.restore);

    expect(JSON.stringify(off.config)).toBe(JSON.stringify(storefront()));
    expect(off.kept).toEqual([]);
    expect(off.diff.map((d) => d.path)).toEqual(['behaviour * origin', 'behaviour /_next/static/* origin', 'behaviour /assets/* origin', 'error response 403', 'error response 503']);
  });

  it('keeps what a person changed during maintenance, and says so', () => {
    const on = switchOn(storefront(), CF);
    on.config.CacheBehaviors.Items[1].TargetOriginId = 'shop-web';
    on.config.CacheBehaviors.Items[0].TargetOriginId = 'shop-web-v2';
    on.config.CustomErrorResponses.Items[1] = { ErrorCode: 503, ResponsePagePath: '/oops.html', ResponseCode: '503', ErrorCachingMinTTL: 5 };
    on.config.Comment = 'edited during maintenance';

    const off = switchOff(on.config, on.restore);

    expect(off.config.DefaultCacheBehavior.TargetOriginId).toBe('shop-web');
    expect(off.config.CacheBehaviors.Items.map((b: { TargetOriginId: string }) => b.TargetOriginId)).toEqual(['shop-web-v2', 'shop-web']);
    expect(off.config.CustomErrorResponses.Items).toEqual([
      { ErrorCode: 403, ResponsePagePath: '/index.html', ResponseCode: '200', ErrorCachingMinTTL: 0 },
      { ErrorCode: 503, ResponsePagePath: '/oops.html', ResponseCode: '503', ErrorCachingMinTTL: 5 },
    ]);
    expect(off.config.Comment).toBe('edited during maintenance');
    expect(off.kept).toEqual([
      'behaviour /_next/static/* was changed during maintenance to origin shop-web-v2; left as it is (it had shop-web)',
      'error response 503 was changed during maintenance (/oops.html 503 cached 5s); left as it is (it had (none))',
    ]);
  });

  it('keeps the record of an earlier, interrupted switch rather than recording maintenance as the original', () => {
    const first = switchOn(storefront(), CF);
    const interrupted = structuredClone(first.config);
    interrupted.CustomErrorResponses = storefront().CustomErrorResponses;

    const again = switchOn(interrupted, CF, first.restore);

    expect(again.restore).toEqual(first.restore);
    expect(again.config).toEqual(first.config);
    expect(JSON.stringify(switchOff(again.config, again.restore).config)).toBe(JSON.stringify(storefront()));
  });
});

describe('the restore record and marker on a distribution', () => {
  it('round-trips through tags of at most 256 characters', () => {
    const { restore } = switchOn(storefront(), CF);

    const tags = restoreTags(restore);

    expect(Object.values(tags).every((v) => v.length <= 256 && /^[A-Za-z0-9+/=]*$/.test(v))).toBe(true);
    expect(Object.keys(tags)[0]).toBe('steady:maintenance-before');
    expect(restoreFromTags({ ...tags, team: 'shop' })).toEqual(restore);
    expect(maintenanceTagKeys({ ...tags, 'steady:maintenance': 'x', team: 'shop' }).sort()).toEqual([...Object.keys(tags), 'steady:maintenance'].sort());
  });

  it('cuts a large record into parts and reads a damaged one as none', () => {
    const behaviors = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`/section-${i}/*`, 'shop-web']));
    const tags = restoreTags({ behaviors, errorResponses: {} });

    expect(Object.keys(tags).length).toBeGreaterThan(1);
    expect(Object.keys(tags)).toContain('steady:maintenance-before-2');
    expect(restoreFromTags(tags)!.behaviors).toEqual(behaviors);
    expect(restoreFromTags({ 'steady:maintenance-before': 'not base64 json' })).toBeUndefined();
  });

  it('a record of exactly MAX_RESTORE_PARTS tags is written and read back; one byte more is refused; tags past the last part are never read', () => {
    // base64 of 3,840 bytes is 5,120 characters: exactly 20 tags of 256.
    const sized = (bytes: number) => {
      const empty = JSON.stringify({ behaviors: { '*': '' }, errorResponses: {} }).length;
      return { behaviors: { '*': 'o'.repeat(bytes - empty) }, errorResponses: {} };
    };
    const full = sized(MAX_RESTORE_PARTS * 192);
    const tags = restoreTags(full);

    expect(Object.keys(tags)).toHaveLength(MAX_RESTORE_PARTS);
    expect(Object.keys(tags).at(-1)).toBe(`steady:maintenance-before-${MAX_RESTORE_PARTS}`);
    expect(restoreFromTags({ ...tags, [`steady:maintenance-before-${MAX_RESTORE_PARTS + 1}`]: 'e30=' })).toEqual(full);
    expect(() => restoreTags(sized(MAX_RESTORE_PARTS * 192 + 1))).toThrow(
      `the restore record needs ${MAX_RESTORE_PARTS + 1} tags, more than the ${MAX_RESTORE_PARTS} steady allows itself on a distribution`,
    );
  });

  it('a restore record that decodes to anything but behaviours and error responses is none', () => {
    const tag = (json: string) => ({ 'steady:maintenance-before': Buffer.from(json, 'utf8').toString('base64') });

    expect(restoreFromTags(tag('null'))).toBeUndefined();
    expect(restoreFromTags(tag('{"behaviors":{}}'))).toBeUndefined();
    expect(restoreFromTags(tag('{"errorResponses":{}}'))).toBeUndefined();
    expect(restoreFromTags(tag('{"behaviors":{},"errorResponses":{}}'))).toEqual({ behaviors: {}, errorResponses: {} });
    expect(restoreFromTags({})).toBeUndefined();
  });

  it('writes and reads the marker: who, which source, since when', () => {
    const value = markerValue('shop-prod', 'Maintenance/shop', { source: 'command', since: Date.parse('2026-01-01T09:00:00Z') });

    expect(value).toBe('Maintenance/shop env=shop-prod source=command since=2026-01-01T09:00:00.000Z');
    expect(parseMarker(value)).toEqual({ resource: 'Maintenance/shop', env: 'shop-prod', source: 'command', since: Date.parse('2026-01-01T09:00:00Z') });
  });
});

describe('the maintenance rule of an ALB listener', () => {
  const doc = (lb: Partial<NonNullable<MaintenanceDoc['spec']['loadBalancer']>>, spec: Partial<MaintenanceDoc['spec']> = {}): MaintenanceDoc => ({
    apiVersion: 'steady.dev/v1alpha1',
    kind: 'Maintenance',
    metadata: { name: 'shop', environment: 'shop-prod' },
    spec: {
      maintenance: 'off',
      loadBalancer: { name: 'shop-api-alb', listener: { port: 443 }, hosts: ['api.example.com'], priority: 1, statusCode: 503, contentType: 'application/json', ...lb },
      ...spec,
    },
  });

  it('answers JSON made from the message, or HTML with the message escaped, or the body given', () => {
    expect(maintenanceBody(doc({}, { message: 'Upgrading the database.', retryAfterSeconds: 1800 }))).toBe('{"status":"maintenance","message":"Upgrading the database.","retryAfterSeconds":1800}');
    expect(maintenanceBody(doc({ contentType: 'text/html' }, { message: 'Back <soon>' }))).toContain('<p>Back &lt;soon&gt;</p>');
    expect(maintenanceBody(doc({ contentType: 'text/plain', body: 'down' }))).toBe('down');
  });

  it('recognises its rule by conditions and response, whatever the letter case or order of the hosts', () => {
    const want = maintenanceRule(doc({ hosts: ['api.example.com', 'www.example.com'] }));
    const rule = {
      arn: 'arn:rule',
      priority: '1',
      isDefault: false,
      conditions: [{ field: 'host-header', values: ['WWW.example.com', 'api.example.com'] }],
      actions: [{ type: 'fixed-response', targetGroups: [], fixedResponse: { statusCode: '503', contentType: 'application/json', messageBody: want.body } }],
    };

    expect(ruleAnswers(rule, want)).toBe(true);
    expect(ruleAnswers({ ...rule, actions: [{ ...rule.actions[0], fixedResponse: { ...rule.actions[0].fixedResponse, statusCode: '500' } }] }, want)).toBe(false);
    expect(maintenanceRule(doc({ hosts: undefined })).conditions).toEqual([{ field: 'path-pattern', values: ['/*'] }]);
  });
});

describe('maintenance in words, and what counts as a switch', () => {
  const at = Date.parse('2026-01-01T09:00:30Z');
  const until = Date.parse('2026-01-01T11:00:00Z');

  it('says who turned it on, since and until when', () => {
    expect(describeMaintenance({ state: 'off', source: 'command', since: at })).toBe('off');
    expect(describeMaintenance({ state: 'on', source: 'command', by: 'alice', reason: 'DB upgrade', since: at, until })).toBe('on by command (alice: DB upgrade) since 2026-01-01 09:00 UTC until 2026-01-01 11:00 UTC');
    expect(describeMaintenance({ state: 'on', source: 'command', by: 'alice', reason: 'DB upgrade' })).toBe('on by command (alice: DB upgrade)');
    expect(describeMaintenance({ state: 'on', source: 'automatic', since: at, reason: '3 passes broken' })).toBe('on automatically since 2026-01-01 09:00 UTC (3 passes broken)');
    expect(describeMaintenance({ state: 'on', source: 'automatic' })).toBe('on automatically');
    expect(describeMaintenance({ state: 'on', source: 'spec', since: at })).toBe('on by spec since 2026-01-01 09:00 UTC');
    expect(describeMaintenance({ state: 'on' })).toBe('on by spec');
  });

  it('a switch is a Maintenance whose first diff line goes from the other state to its own; a repair is not', () => {
    const status = (before: string, state: 'on' | 'off', kind = 'Maintenance', path = 'maintenance') => ({ kind, diff: [{ path, before, after: state }], maintenance: { state } });

    expect(isSwitch(status('off', 'on'))).toBe(true);
    expect(isSwitch(status('on', 'off'))).toBe(true);
    expect(isSwitch(status('partial', 'on'))).toBe(false);
    expect(isSwitch(status('on', 'on'))).toBe(false);
    expect(isSwitch(status('off', 'on', 'Service'))).toBe(false);
    expect(isSwitch(status('off', 'on', 'Maintenance', 'behaviour * origin'))).toBe(false);
    expect(isSwitch({ kind: 'Maintenance', diff: [{ path: 'maintenance', before: 'off', after: 'on' }] })).toBe(false);
    expect(isSwitch({ kind: 'Maintenance', diff: [], maintenance: { state: 'on' } })).toBe(false);
  });

  it('describes the ALB rule by status, type and hosts', () => {
    expect(describeRule({ priority: 1, conditions: [{ field: 'host-header', values: ['api.example.com', 'www.example.com'] }], statusCode: '503', contentType: 'application/json', body: '' })).toBe(
      '503 application/json for api.example.com, www.example.com',
    );
    expect(describeRule({ priority: 1, conditions: [{ field: 'path-pattern', values: ['/*'] }], statusCode: '503', contentType: 'text/plain', body: '' })).toBe('503 text/plain for every request');
  });
});

