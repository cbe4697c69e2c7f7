/**
 * `steady render` through the real binary (`node bin/steady.js render ...`, its own working
 * directory), on the shop example and on a broken copy of it.
 */
import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runBinary, runCli } from '../testing/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OVERLAY = 'specs/shop/staging/overlay.yaml';

/** The line of `needle` in a file of the repository, counted from 1. */
function lineOf(file: string, needle: string, root = ROOT): number {
  const text = readFileSync(path.join(root, file), 'utf8');
  const offset = text.indexOf(needle);
  if (offset < 0) throw new Error(`${needle} is not in ${file}`);
  return text.slice(0, offset).split('\n').length;
}

let dir: string;
beforeAll(() => {
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'steady-render-')));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('steady render', () => {
  it('prints the documents of an environment with a comment on every value its overlay wrote', async () => {
    const { code, stdout, stderr } = await runBinary(['render', 'specs/shop', '--env', 'shop-staging'], { cwd: ROOT });

    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const docs = parseAllDocuments(stdout).map((d) => d.toJS());
    expect(docs.map((d) => `${d.kind}/${d.metadata.name} ${d.metadata.environment ?? ''}`)).toEqual([
      'Environment/shop-staging ',
      'Service/api shop-staging',
      'Migration/db-migrate shop-staging',
      'ScheduledTask/db-migrate-nightly shop-staging',
      'AliasRecord/api-dns shop-staging',
    ]);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('# Environment/shop-staging of shop-staging: specs/shop/base/environment.yaml:4, patched by specs/shop/staging/overlay.yaml');
    expect(lines).toContain(`  cluster: shop-staging # from ${OVERLAY}:${lineOf(OVERLAY, 'cluster: shop-staging')}`);
    expect(lines).toContain(`  desiredCount: 1 # from ${OVERLAY}:${lineOf(OVERLAY, 'desiredCount: 1')}`);
    expect(lines).toContain(`            awslogs-group: /ecs/shop-staging/api # from ${OVERLAY}:${lineOf(OVERLAY, 'awslogs-group')}`);
    expect(lines).toContain(`      # dependsOn removed by ${OVERLAY}:${lineOf(OVERLAY, 'containers/app/dependsOn')}`);
    // Defaults are not filled in: render shows what was written, validate --show-defaults the rest.
    expect(stdout).not.toContain('circuitBreaker');
  });

  it('prints every environment of the set by default, flat ones without comments', async () => {
    const { code, stdout } = await runCli('render', path.join(ROOT, 'specs'));

    expect(code).toBe(0);
    const docs = parseAllDocuments(stdout).map((d) => d.toJS());
    expect([...new Set(docs.map((d) => d.metadata.environment ?? d.metadata.name))]).toEqual(['messaging-prod', 'shop-prod', 'shop-staging']);
    const messaging = stdout.slice(0, stdout.indexOf('# Environment/shop-prod'));
    expect(messaging).not.toContain('# from');
  });

  it('lists what each overlay changed as JSON with --output json', async () => {
    const { code, stdout } = await runCli('render', path.join(ROOT, 'specs/shop'), '--env', 'shop-staging', '-o', 'json');

    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.environments.map((e: { name: string }) => e.name)).toEqual(['shop-staging']);
    const api = out.environments[0].documents.find((d: { kind: string }) => d.kind === 'Service');
    expect(api.document.spec.desiredCount).toBe(1);
    expect(api.changes).toContainEqual({ path: 'spec.desiredCount', change: 'set', at: { file: expect.stringMatching(/specs\/shop\/staging\/overlay\.yaml$/), line: lineOf(OVERLAY, 'desiredCount: 1'), column: 11 } });
    expect(api.changes).toContainEqual(expect.objectContaining({ path: 'spec.taskDefinition.containers[datadog-agent]', change: 'removed' }));
    expect(api.changes).toContainEqual(expect.objectContaining({ path: 'spec.taskDefinition.containers[0].dependsOn', change: 'removed' }));
  });

  it('exits 1 with the problem at the overlay line and the environment it was rendering', async () => {
    const specs = path.join(dir, 'broken');
    cpSync(path.join(ROOT, 'specs/shop'), specs, { recursive: true });
    const overlay = path.join(specs, 'staging', 'overlay.yaml');
    writeFileSync(overlay, readFileSync(overlay, 'utf8').replace('              - name: app\n', '              - name: ap\n'));

    const { code, stdout } = await runBinary(['render', 'broken'], { cwd: dir });

    expect(code).toBe(1);
    const line = lineOf('broken/staging/overlay.yaml', '- name: ap\n', dir);
    expect(stdout).toBe(
      `broken/staging/overlay.yaml:${line}:23 spec.patches[1].merge.spec.taskDefinition.containers[0].name: no container named "ap" in Service api (it has: app, datadog-agent) (did you mean "app"?); ` +
        'to add a container, use a jsonPatch add to /spec/taskDefinition/containers/- (rendering shop-staging)\n1 problem in 1 file\n',
    );
  });

  it('exits 1 naming an environment the specs do not have', async () => {
    const { code, stdout, stderr } = await runCli('render', path.join(ROOT, 'specs/shop'), '--env', 'shop-dev');

    expect(code).toBe(1);
    expect({ stdout, stderr }).toEqual({ stdout: '', stderr: 'error: no environment shop-dev in the specs (there are: shop-prod, shop-staging)\n' });
  });

  it('takes --env patterns, in the order of the specs', async () => {
    const { code, stdout } = await runCli('render', path.join(ROOT, 'specs/shop'), '--env', 'shop-*', '-o', 'json');

    expect(code).toBe(0);
    expect(JSON.parse(stdout).environments.map((e: { name: string }) => e.name)).toEqual(['shop-prod', 'shop-staging']);
  });
});
