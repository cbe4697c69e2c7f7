/**
 * The shop example in specs/shop/: a base and two overlays. Its production renders to exactly the
 * flat documents the example used to be (controller/spec/testdata/flat-shop/), its staging to what
 * the staging overlay says, and `printDocuments` comments every value an overlay wrote.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSpecPaths, parseSpecFiles, renderSpecPaths, type EnvironmentSpecs, type LoadResult } from './load.js';
import { printDocuments } from './print.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOP = path.relative(process.cwd(), path.join(ROOT, 'specs/shop'));
const FLAT = fileURLToPath(new URL('./testdata/flat-shop/', import.meta.url));
const STAGING_OVERLAY = path.join(SHOP, 'staging/overlay.yaml');

function environments(r: LoadResult): Omit<EnvironmentSpecs, 'locations'>[] {
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.specSet.environments.map(({ locations: _locations, ...rest }) => rest);
}

/** The line of `needle` in a file, counted from 1. */
function lineOf(file: string, needle: string): number {
  const text = readFileSync(file, 'utf8');
  const offset = text.indexOf(needle);
  if (offset < 0) throw new Error(`${needle} is not in ${file}`);
  return text.slice(0, offset).split('\n').length;
}

describe('the shop example', () => {
  it('renders shop-prod to exactly the documents the flat example held', async () => {
    const [rendered] = environments(await loadSpecPaths([SHOP])).filter((e) => e.name === 'shop-prod');
    const [flat] = environments(await loadSpecPaths([FLAT]));

    expect(rendered).toEqual(flat);
  });

  it('renders shop-staging from the same base with its own cluster, count, domain, network and secrets, without the agent', async () => {
    const [staging] = environments(await loadSpecPaths([SHOP])).filter((e) => e.name === 'shop-staging');
    const api = staging.services[0];

    expect(staging.environment.spec).toMatchObject({ cluster: 'shop-staging', region: 'ap-northeast-1', notifications: { email: { from: 'steady@example.com', to: ['shop-dev@example.com'] } } });
    expect(api.spec).toMatchObject({ desiredCount: 1, loadBalancer: { targetGroup: 'shop-staging-api-tg' }, network: { subnets: ['subnet-0f1e2d3c4b5a69788', 'subnet-0e1d2c3b4a5968778'] } });
    expect(api.spec.taskDefinition.family).toBe('shop-staging-api');
    expect(api.spec.taskDefinition.containers.map((c) => c.name)).toEqual(['app']);
    expect(api.spec.taskDefinition.containers[0].secrets).toEqual({ DATABASE_URL: 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:shop-staging/database-url-Sb2c3D' });
    expect(api.spec.taskDefinition.containers[0].environment).toMatchObject({ APP_ENV: 'staging', DD_ENV: 'staging', DD_SERVICE: 'shop-api' });
    expect(staging.aliases.map((a) => [a.metadata.name, a.spec.name, a.spec.target])).toEqual([['api-dns', 'api.staging.example.com', { loadBalancer: 'shop-staging-api-alb' }]]);
    expect(staging.migrations.map((m) => m.metadata.name)).toEqual(['db-migrate']);
  });
});

describe('printDocuments', () => {
  it('comments every value the overlay wrote with its file and line, and every field it removed', async () => {
    const { result, documents } = await renderSpecPaths([SHOP]);
    expect(result.ok).toBe(true);

    const text = printDocuments(documents.filter((d) => d.environment === 'shop-staging'));
    const from = (needle: string) => `# from ${STAGING_OVERLAY}:${lineOf(STAGING_OVERLAY, needle)}`;
    const lines = text.split('\n');

    expect(lines).toContain(`# Service/api of shop-staging: ${path.join(SHOP, 'base/api.yaml')}:4, patched by ${STAGING_OVERLAY}`);
    expect(lines).toContain(`  desiredCount: 1 ${from('desiredCount: 1')}`);
    expect(lines).toContain(`    family: shop-staging-api ${from('family: shop-staging-api')}`);
    expect(lines).toContain(`          APP_ENV: staging ${from('APP_ENV: staging')}`);
    expect(lines).toContain(`  network: ${from('network:')}`);
    expect(lines).toContain(`  name: api.staging.example.com ${from('name: api.staging.example.com')}`);
    expect(lines).toContain(`  environment: shop-staging ${from('name: shop-staging')}`);
    expect(lines).toContain(`    containers: # datadog-agent removed by ${STAGING_OVERLAY}:${lineOf(STAGING_OVERLAY, 'containers/datadog-agent')}`);
    // What the base wrote carries no comment.
    expect(lines).toContain('        image: 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api:latest');
    expect(lines).toContain('          DD_SERVICE: shop-api');
  });

  it('prints a spec set written whole that loads to the same environments', async () => {
    const { result, documents } = await renderSpecPaths([path.join(ROOT, 'specs')]);

    const again = parseSpecFiles([{ path: 'rendered.yaml', content: printDocuments(documents) }]);

    expect(environments(again)).toEqual(environments(result));
  });
});
