import { describe, expect, it } from 'vitest';
import { edited, loadShop as load, problems } from './testkit.js';

/** The seed's maintenance page, with `replace` applied to its text. */
function page(replace: [string, string][] = [], name = 'shop'): string {
  const text = `apiVersion: steady.dev/v1alpha1
kind: Maintenance
metadata: { name: ${name}, environment: shop-prod }
spec:
  maintenance: off
  message: We are upgrading the shop.
  cloudFront:
    distribution: E2QWRUHAPOMQZL
    origin: shop-maintenance
    errorResponse: { pagePath: /maintenance.html }
  loadBalancer:
    name: shop-api-alb
    listener: { port: 443 }
    hosts: [api.example.com]
`;
  return edited(text, replace);
}

describe('Maintenance specs', () => {
  it('loads the seed\'s maintenance page with its defaults', () => {
    const r = load(page());
    expect(problems(r)).toEqual([]);
    if (!r.ok) return;
    const [m] = r.specSet.environments[0].maintenance;
    expect(m.spec).toEqual({
      maintenance: 'off',
      message: 'We are upgrading the shop.',
      cloudFront: {
        distribution: 'E2QWRUHAPOMQZL',
        origin: 'shop-maintenance',
        errorResponse: { pagePath: '/maintenance.html', errorCodes: [403, 404, 500, 502, 503, 504], responseCode: 503, cacheSeconds: 10 },
      },
      loadBalancer: { name: 'shop-api-alb', listener: { port: 443 }, hosts: ['api.example.com'], priority: 1, statusCode: 503, contentType: 'application/json' },
    });
  });

  it('reads on and off, and YAML 1.1 booleans, as on and off', () => {
    for (const [written, read] of [['on', 'on'], ['off', 'off'], ['true', 'on'], ['false', 'off']]) {
      const r = load(page([['maintenance: off', `maintenance: ${written}`]]));
      expect(problems(r)).toEqual([]);
      if (r.ok) expect(r.specSet.environments[0].maintenance[0].spec.maintenance).toBe(read);
    }
  });

  it('refuses a maintenance that switches nothing, or switches behaviours to no origin', () => {
    const bare = `apiVersion: steady.dev/v1alpha1
kind: Maintenance
metadata: { name: shop, environment: shop-prod }
spec: { maintenance: on }
`;
    expect(problems(load(bare))).toEqual(['specs/shop.yaml:22:7 spec: expected cloudFront, loadBalancer, or both: the entry points maintenance switches']);
    expect(problems(load(page([['    origin: shop-maintenance\n', '    behaviors: ["*"]\n']])))).toEqual([
      'specs/shop.yaml:27:16 spec.cloudFront.behaviors: behaviors are switched to an origin: set origin as well',
    ]);
  });

  it('refuses values CloudFront or the ALB would refuse, saying where', () => {
    const r = load(
      page([
        ['maintenance: off', 'maintenance: later'],
        ['errorResponse: { pagePath: /maintenance.html }', 'errorResponse: { pagePath: maintenance.html, errorCodes: [418] }'],
        ['hosts: [api.example.com]', 'hosts: [api.example.com]\n    contentType: text/xml'],
      ]),
    );
    expect(problems(r)).toEqual([
      'specs/shop.yaml:23:16 spec.maintenance: expected on or off',
      'specs/shop.yaml:28:32 spec.cloudFront.errorResponse.pagePath: expected a path that starts with /, e.g. /maintenance.html',
      'specs/shop.yaml:28:63 spec.cloudFront.errorResponse.errorCodes[0]: expected an HTTP error code CloudFront can map: 400, 403, 404, 405, 414, 416, 500-504',
      'specs/shop.yaml:33:18 spec.loadBalancer.contentType: expected one of: application/json, text/html, text/plain',
    ]);
    expect(problems(load(page([['hosts: [api.example.com]', 'hosts: [api.example.com]\n    statusCode: 302']])))).toEqual([
      'specs/shop.yaml:33:17 spec.loadBalancer.statusCode: expected a 2XX, 4XX or 5XX status (what an ALB fixed response allows)',
    ]);
  });

  it('refuses two Maintenances that would fight over one distribution or one rule priority, and unknown watched services', () => {
    const r = load(page(), page([['automatic', 'automatic']], 'other'), page([['hosts: [api.example.com]', 'hosts: [api.example.com]\n  automatic: { services: [web] }']], 'third'));
    expect(problems(r)).toEqual([
      'specs/shop.yaml:41:19 spec.cloudFront.distribution: CloudFront distribution E2QWRUHAPOMQZL is already switched by Maintenance "shop" at specs/shop.yaml:19:1; two Maintenances would fight over it',
      'specs/shop.yaml:45:5 spec.loadBalancer.priority: listener rule shop-api-alb:443 priority 1 is already owned by Maintenance "shop" at specs/shop.yaml:19:1; give each Maintenance a priority of its own',
      'specs/shop.yaml:56:19 spec.cloudFront.distribution: CloudFront distribution E2QWRUHAPOMQZL is already switched by Maintenance "shop" at specs/shop.yaml:19:1; two Maintenances would fight over it',
      'specs/shop.yaml:60:5 spec.loadBalancer.priority: listener rule shop-api-alb:443 priority 1 is already owned by Maintenance "shop" at specs/shop.yaml:19:1; give each Maintenance a priority of its own',
      'specs/shop.yaml:63:27 spec.automatic.services[0]: no Service named "web" in environment shop-prod',
    ]);
  });
});
