import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { renderWiringTree, wiringConditions, wiringReportLines, wiringStatus } from './report.js';
import type { WiringLink, WiringResult } from './types.js';

const plain = pc.createColors(false);

const ok = (name: WiringLink['name'], summary: string): WiringLink => ({ name, status: 'ok', ok: true, summary, evidence: {} });

/** A result whose targets are unhealthy and whose probe therefore fails too. */
const DEGRADED: WiringResult = {
  environment: 'shop-prod',
  service: 'api',
  serviceName: 'api',
  names: ['api.example.com'],
  loadBalancer: 'shop-api-alb',
  targetGroup: 'shop-api-tg',
  links: [
    ok('alias', 'api.example.com A -> shop-api-alb-1.ap-northeast-1.elb.amazonaws.com'),
    ok('loadBalancer', 'shop-api-alb active (application, internet-facing)'),
    { name: 'healthCheck', status: 'skipped', ok: false, summary: 'not checked', evidence: {}, reason: 'NotChecked', message: 'not compared: container app has no health check; only the target group checks /' },
    {
      name: 'targets',
      status: 'broken',
      ok: false,
      summary: '0/2 healthy',
      evidence: {},
      reason: 'NoHealthyTargets',
      message: 'none of the 2 targets in shop-api-tg is healthy',
    },
    {
      name: 'probe',
      status: 'broken',
      ok: false,
      summary: 'GET https://api.example.com/health -> answered 503',
      evidence: {},
      reason: 'ProbeFailed',
      message: 'GET https://api.example.com/health answered 503, expected 200; the broken targets link above explains it',
    },
  ],
  firstBroken: 'targets',
  condition: { type: 'Degraded', reason: 'NoHealthyTargets', message: 'none of the 2 targets in shop-api-tg is healthy' },
  checkedAt: Date.UTC(2026, 0, 1),
  specHash: 'abc',
};

const READY: WiringResult = {
  ...DEGRADED,
  links: [ok('alias', 'api.example.com A -> shop-api-alb-1.ap-northeast-1.elb.amazonaws.com'), ok('tasks', '2 running tasks on the expected images')],
  firstBroken: undefined,
  condition: { type: 'Ready', reason: 'Wired', message: 'api.example.com reaches service api: every link is connected' },
};

describe('renderWiringTree', () => {
  it('prints a Degraded chain with a mark per link and what to fix under each broken one', () => {
    expect(renderWiringTree(DEGRADED, plain)).toEqual([
      '✗ api  Degraded at targets (NoHealthyTargets)  api.example.com -> shop-api-alb -> shop-api-tg -> api',
      '├─ ✓ alias            api.example.com A -> shop-api-alb-1.ap-northeast-1.elb.amazonaws.com',
      '├─ ✓ load balancer    shop-api-alb active (application, internet-facing)',
      '├─ - health check     not compared: container app has no health check; only the target group checks /',
      '├─ ✗ targets          0/2 healthy',
      '│                     none of the 2 targets in shop-api-tg is healthy',
      '└─ ✗ probe            GET https://api.example.com/health -> answered 503',
      '                      GET https://api.example.com/health answered 503, expected 200; the broken targets link above explains it',
    ]);
  });

  it('prints a Ready chain', () => {
    expect(renderWiringTree(READY, plain)).toEqual([
      '✓ api  Ready  api.example.com -> shop-api-alb -> shop-api-tg -> api',
      '├─ ✓ alias            api.example.com A -> shop-api-alb-1.ap-northeast-1.elb.amazonaws.com',
      '└─ ✓ tasks            2 running tasks on the expected images',
    ]);
  });

  it('colours marks only when asked to', () => {
    const colored = pc.createColors(true);
    expect(renderWiringTree(READY, colored)[1]).toBe(`├─ ${colored.green('✓')} alias            api.example.com A -> shop-api-alb-1.ap-northeast-1.elb.amazonaws.com`);
  });
});

describe('wiringStatus and report lines', () => {
  it('turns a break a person must fix into a Failed status with the other breaks as notes', () => {
    expect(wiringStatus(DEGRADED)).toEqual({
      resource: 'Service/api',
      kind: 'Service',
      name: 'api',
      phase: 'Failed',
      reason: 'NoHealthyTargets',
      message: 'targets: none of the 2 targets in shop-api-tg is healthy',
      diff: [],
      specHash: 'abc',
      notes: ['probe: GET https://api.example.com/health answered 503, expected 200; the broken targets link above explains it'],
    });
  });

  it('turns a break steady heals into Drifted, an unreadable link into Blocked and Ready into Synced', () => {
    const healable = { ...DEGRADED, links: [{ ...DEGRADED.links[3], healable: true }] };
    const unread = { ...DEGRADED, links: [{ ...DEGRADED.links[3], status: 'unknown' as const }] };
    expect([wiringStatus(healable).phase, wiringStatus(unread).phase, wiringStatus(READY).phase]).toEqual(['Drifted', 'Blocked', 'Synced']);
  });

  it('writes one report line per broken link', () => {
    expect(wiringReportLines(DEGRADED)).toEqual([
      'api: Degraded at targets (NoHealthyTargets): none of the 2 targets in shop-api-tg is healthy',
      'api: also probe (ProbeFailed): GET https://api.example.com/health answered 503, expected 200; the broken targets link above explains it',
    ]);
    expect(wiringReportLines(READY)).toEqual(['api: Ready: api.example.com reaches service api: every link is connected']);
  });

  it('gives Kubernetes-style Ready and Degraded conditions', () => {
    expect(wiringConditions(DEGRADED)).toEqual([
      { type: 'Ready', status: 'False', reason: 'NoHealthyTargets', message: 'none of the 2 targets in shop-api-tg is healthy', lastProbeTime: '2026-01-01T00:00:00.000Z' },
      { type: 'Degraded', status: 'True', reason: 'NoHealthyTargets', message: 'none of the 2 targets in shop-api-tg is healthy', lastProbeTime: '2026-01-01T00:00:00.000Z' },
    ]);
  });
});
