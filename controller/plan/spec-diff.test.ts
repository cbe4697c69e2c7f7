import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPECS_DIR } from '../testing/world.js';
import { parseSpecFiles, type EnvironmentSpecs, type SpecFile } from '../spec/load.js';
import { diffSpecSets, hasChanges } from './spec-diff.js';

/**
 * The example specs as files in memory, named as `steady validate specs/` names them: messaging
 * written flat, shop as a base (specs/shop/base/) with the shop-prod and shop-staging overlays.
 */
function exampleFiles(dir = SPECS_DIR, prefix = 'specs'): SpecFile[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? exampleFiles(full, `${prefix}/${name}`) : [{ path: `${prefix}/${name}`, content: readFileSync(full, 'utf8') }];
    });
}

/** An overlay without its patches of `target`. */
const withoutPatch = (target: string) => (text: string) => text.replace(new RegExp(`    - target: ${target}\\n(?:      .*\\n|\\s*\\n)*`), '');

/** The example set with `edit` applied to the text of one file (or the file removed, or one added). */
function variant(edits: Record<string, ((text: string) => string) | null>): EnvironmentSpecs[] {
  const files = exampleFiles()
    .filter((f) => edits[f.path] !== null)
    .map((f) => ({ ...f, content: edits[f.path] ? edits[f.path]!(f.content as string) : f.content }));
  const result = parseSpecFiles(files);
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
  return result.specSet.environments;
}

const base = variant({});
const labels = { before: 'main', after: 'working tree' };
const compare = (after: EnvironmentSpecs[]) => diffSpecSets(base, after, labels);
const resources = (d: ReturnType<typeof compare>) => d.environments.flatMap((e) => e.resources);

describe('diffSpecSets', () => {
  it('finds nothing between a set and itself, and counts every resource as unchanged', () => {
    const d = compare(variant({}));
    expect(hasChanges(d)).toBe(false);
    // 3 Environments + 2 messaging resources + 5 of shop-prod + 4 of shop-staging (no apex alias).
    expect(d.counts).toEqual({ added: 0, changed: 0, removed: 0, unchanged: 14 });
    expect(d.environments.map((e) => [e.environment, e.change])).toEqual([
      ['messaging-prod', 'unchanged'],
      ['shop-prod', 'unchanged'],
      ['shop-staging', 'unchanged'],
    ]);
  });

  it('finds no change in equivalent forms: a reordered environment map, defaults written out, other units, subnets reordered', () => {
    const d = compare(
      variant({
        'specs/shop/base/api.yaml': (t) =>
          t
            .replace('          DD_SERVICE: shop-api\n          DD_AGENT_HOST: localhost\n', '          DD_AGENT_HOST: localhost\n          DD_SERVICE: shop-api\n')
            .replace('cpu: "512"', 'cpu: 0.5 vCPU')
            .replace('memory: "1 GB"', 'memory: 1024')
            .replace('      - name: app\n', '      - name: app\n        essential: true\n')
            .replace('          - containerPort: 8000\n', '          - containerPort: 8000\n            protocol: tcp\n'),
        'specs/shop/prod/overlay.yaml': (t) =>
          t
            .replace('                  APP_ENV: production\n                  DD_ENV: prod\n', '                  DD_ENV: prod\n                  APP_ENV: production\n')
            .replace(
              'subnets: [subnet-0a1b2c3d4e5f60718, subnet-0b2c3d4e5f6071829]',
              'subnets: [subnet-0b2c3d4e5f6071829, subnet-0a1b2c3d4e5f60718]\n            assignPublicIp: DISABLED',
            ),
        'specs/shop/base/db-migrate.yaml': (t) => t.replace('  timeoutSeconds: 600\n', '  timeoutSeconds: 600\n  before: []\n'),
      }),
    );
    expect(resources(d)).toEqual([]);
    expect(hasChanges(d)).toBe(false);
  });

  it('names an image change in a base field by field, in every environment that renders it, and what it makes steady do: a rollout after the migration, which runs again', () => {
    const d = compare(variant({ 'specs/shop/base/api.yaml': (t) => t.replace('shop-api:latest', 'shop-api:2026.02.0') }));
    const [shop, staging] = ['shop-prod', 'shop-staging'].map((name) => d.environments.find((e) => e.environment === name)!);
    const image = { path: 'taskDefinition.containers[app].image', before: '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api:latest', after: '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api:2026.02.0' };
    expect(shop.resources).toEqual([
      { resource: 'Migration/db-migrate', kind: 'Migration', name: 'db-migrate', change: 'changed', diff: [image], effects: ['it runs again: a new version (images, container or command)'] },
      { resource: 'ScheduledTask/db-migrate-nightly', kind: 'ScheduledTask', name: 'db-migrate-nightly', change: 'changed', diff: [image], effects: ['a new task-definition revision for the schedule'] },
      { resource: 'Service/api', kind: 'Service', name: 'api', change: 'changed', diff: [image], effects: ['a new task-definition revision and a rollout after db-migrate'] },
    ]);
    expect(shop.unchanged).toBe(3);
    expect(staging.resources).toEqual(shop.resources);
    expect(staging.unchanged).toBe(2);
    expect(d.counts).toEqual({ added: 0, changed: 6, removed: 0, unchanged: 8 });
  });

  it('names an environment variable by its name, and a service setting by its field, in the one environment whose overlay changed', () => {
    const d = compare(variant({ 'specs/shop/prod/overlay.yaml': (t) => t.replace('APP_ENV: production', 'APP_ENV: staging').replace('desiredCount: 2', 'desiredCount: 4') }));
    expect(d.environments.filter((e) => e.resources.length > 0).map((e) => e.environment)).toEqual(['shop-prod']);
    const api = resources(d).find((r) => r.resource === 'Service/api')!;
    expect(api.diff).toEqual([
      { path: 'desiredCount', before: '2', after: '4' },
      { path: 'taskDefinition.containers[app].environment[APP_ENV]', before: 'production', after: 'staging' },
    ]);
    expect(api.effects).toEqual(['a new task-definition revision and a rollout after db-migrate', 'the ECS service is updated (desiredCount)']);
  });

  it('shows a blue/green service deployed through CodeDeploy', () => {
    const d = compare(variant({ 'specs/messaging/api.yaml': (t) => t.replace('messaging-api:v2.7.1', 'messaging-api:v2.8.0') }));
    expect(resources(d).map((r) => [r.resource, r.effects])).toEqual([['Service/messaging-api', ['a new task-definition revision, deployed blue/green through CodeDeploy']]]);
  });

  it('shows a new resource with what it sets', () => {
    const www = `---\napiVersion: steady.dev/v1alpha1\nkind: AliasRecord\nmetadata: { name: www-dns, environment: shop-prod }\nspec:\n  zone: example.com\n  name: WWW.example.com.\n  target: { loadBalancer: shop-api-alb }\n`;
    const d = compare(variant({ 'specs/shop/prod/apex-dns.yaml': (t) => `${t}${www}` }));
    expect(resources(d)).toEqual([
      {
        resource: 'AliasRecord/www-dns',
        kind: 'AliasRecord',
        name: 'www-dns',
        change: 'added',
        diff: [
          { path: 'zone', before: undefined, after: 'example.com' },
          { path: 'name', before: undefined, after: 'www.example.com' },
          { path: 'type', before: undefined, after: 'A' },
          { path: 'target', before: undefined, after: '{"loadBalancer":"shop-api-alb"}' },
          { path: 'evaluateTargetHealth', before: undefined, after: 'false' },
          { path: 'adopt', before: undefined, after: 'false' },
        ],
        effects: ['a new DNS record'],
      },
    ]);
  });

  it('reports a removed resource as no longer managed, in every environment whose base held it, and deletes nothing', () => {
    const patch = withoutPatch('ScheduledTask/db-migrate-nightly');
    const d = compare(variant({ 'specs/shop/base/db-migrate-nightly.yaml': null, 'specs/shop/prod/overlay.yaml': patch, 'specs/shop/staging/overlay.yaml': patch }));
    expect(resources(d)).toEqual(
      ['shop-prod', 'shop-staging'].map((environment) => ({
        resource: 'ScheduledTask/db-migrate-nightly',
        kind: 'ScheduledTask',
        name: 'db-migrate-nightly',
        change: 'removed',
        diff: [],
        effects: [],
        message: `ScheduledTask db-migrate-nightly of environment ${environment} is no longer in the specs (main → working tree); it is not reconciled any more; steady deletes nothing`,
      })),
    );
  });

  it('reports a removed Environment once, with how many resources it held', () => {
    const d = compare(variant({ 'specs/messaging/api.yaml': null, 'specs/messaging/dns.yaml': null, 'specs/messaging/environment.yaml': null }));
    expect(d.environments[0]).toMatchObject({
      environment: 'messaging-prod',
      change: 'removed',
      resources: [{ resource: 'Environment/messaging-prod', change: 'removed', message: 'Environment messaging-prod is no longer in the specs (main → working tree); it and its 2 resources are not reconciled any more; steady deletes nothing' }],
    });
    expect(d.counts).toEqual({ added: 0, changed: 0, removed: 1, unchanged: 11 });
  });

  it('says what a change of mode means', () => {
    const d = compare(variant({ 'specs/shop/base/environment.yaml': (t) => t.replace('mode: enforce', 'mode: observe') }));
    expect(resources(d)).toEqual(
      ['shop-prod', 'shop-staging'].map((name) => ({
        resource: `Environment/${name}`,
        kind: 'Environment',
        name,
        change: 'changed',
        diff: [{ path: 'mode', before: 'enforce', after: 'observe' }],
        effects: ['observe mode: steady reports drift and changes nothing'],
      })),
    );
  });
});
