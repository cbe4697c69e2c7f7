/**
 * `steady import`: what it writes for the environments steady's own examples run, and that
 * `steady plan` on what it wrote plans nothing but adoption.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSpecPaths } from '../spec/load.js';
import { runCli } from '../testing/cli.js';
import { beyondAdoption, roundTrip } from '../testing/import-world.js';
import { SPECS_DIR, world } from '../testing/world.js';

const ADOPT_FIXTURE = fileURLToPath(new URL('../sim/fixtures/adopt-files.yaml', import.meta.url));
const EXAMPLES_FIXTURE = fileURLToPath(new URL('../sim/fixtures/examples.yaml', import.meta.url));

const scratch = () => mkdtempSync(path.join(tmpdir(), 'steady-import-'));

describe('steady import of the demo account', () => {
  it("reproduces specs/shop after the demo's first pass: the plan of what it wrote changes nothing", async () => {
    const w = await world('shop-prod');
    await w.pass();
    w.advance(600_000);

    const { result, files, docs } = await roundTrip(w.account, { cluster: 'shop-prod', migrations: ['shop-api-db-migrate'] });

    expect(docs.map((d) => `${d.kind}/${d.name} ${d.file}`)).toEqual([
      'Environment/shop-prod environment.yaml',
      'Service/api api.yaml',
      'Migration/db-migrate db-migrate.yaml',
      'AliasRecord/api-dns api-dns.yaml',
    ]);
    expect(result.plan!.actions).toEqual([]);
    expect(result.resources.map((r) => `${r.resource} ${r.phase}`).sort()).toEqual(['AliasRecord/api-dns Synced', 'Migration/db-migrate Synced', 'Service/api Synced']);
    // Field for field what specs/shop renders as shop-prod, in the forms it is written in.
    const loaded = await loadSpecPaths([path.join(SPECS_DIR, 'shop')]);
    const original = loaded.ok ? loaded.specSet.environments.find((e) => e.name === 'shop-prod') : undefined;
    const imported = await loadFiles(files);
    const { image: _a, ...app } = imported.services[0].spec.taskDefinition.containers[0];
    const { image: _b, ...originalApp } = original!.services[0].spec.taskDefinition.containers[0];
    expect(app).toEqual(originalApp);
    // Port mappings come back in ECS's canonical order (by port): the order means nothing to ECS.
    const byPort = <T extends { portMappings: { containerPort?: number }[] }>(c: T) => ({ ...c, portMappings: [...c.portMappings].sort((a, b) => a.containerPort! - b.containerPort!) });
    expect(byPort(imported.services[0].spec.taskDefinition.containers[1])).toEqual(byPort(original!.services[0].spec.taskDefinition.containers[1]));
    expect(imported.services[0].spec).toMatchObject({ desiredCount: 2, after: ['db-migrate'], loadBalancer: original!.services[0].spec.loadBalancer, network: original!.services[0].spec.network });
    // What AWS does not keep (how long it may run) is left at steady's default, with a comment saying so.
    expect(imported.migrations[0].spec).toEqual({ ...original!.migrations.find((m) => m.metadata.name === 'db-migrate')!.spec, timeoutSeconds: 900 });
    expect(files['db-migrate.yaml']).toContain('# how long a run may take is not kept by ECS: steady allows 900 seconds unless timeoutSeconds says otherwise\n');
    expect(files['api.yaml']).toContain('image: 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api:2026.01.1\n');
    expect(files['api.yaml']).toContain('# the digest running is also tagged latest; name the tag your pipeline pushes\n');
  });

  it('imports the blue/green messaging API with its CodeDeploy deployment group, and plans nothing for it', async () => {
    const w = await world('messaging-prod');

    const { result, files } = await roundTrip(w.account, { cluster: 'messaging-prod', env: 'messaging-prod' });

    expect(beyondAdoption(result)).toEqual([]);
    expect(result.plan!.actions.map((a) => `${a.kind} ${a.resource}`)).toEqual(['TagResource Service/messaging-api']);
    const imported = await loadFiles(files);
    expect(imported.services[0].spec.deployment).toEqual({
      strategy: 'blueGreen',
      codeDeploy: { application: 'messaging-prod', deploymentGroup: 'messaging-api', deploymentConfig: 'CodeDeployDefault.ECSCanary10Percent5Minutes' },
    });
  });
});

describe('steady import (the command)', () => {
  it('writes one file per resource and `steady plan` on them plans the adoption only', async () => {
    const dir = scratch();

    const imported = await runCli('import', '--cluster', 'files-prod', '--sim', ADOPT_FIXTURE, '--out', dir);
    const planned = await runCli('plan', dir, '--sim', ADOPT_FIXTURE, '-o', 'json');

    expect(imported.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['environment.yaml', 'files-api.yaml', 'files-dns.yaml']);
    expect(imported.stdout).toContain(`Environment files-prod: 3 files in ${dir}`);
    expect(planned.code).toBe(2);
    const report = JSON.parse(planned.stdout).environments[0];
    expect(report.resources.flatMap((r: { actions: { kind: string }[] }) => r.actions.map((a) => a.kind)).sort()).toEqual(['ChangeRecords', 'TagResource']);
    const service = report.resources.find((r: { resource: string }) => r.resource === 'Service/files-api');
    expect(service.drift ?? []).toEqual([]);
  });

  it('writes nothing over files that exist unless --force', async () => {
    const dir = scratch();
    writeFileSync(path.join(dir, 'files-api.yaml'), '# mine\n');

    const refused = await runCli('import', '--cluster', 'files-prod', '--sim', ADOPT_FIXTURE, '--out', dir);
    const kept = readFileSync(path.join(dir, 'files-api.yaml'), 'utf8');
    const untouched = readdirSync(dir);
    const forced = await runCli('import', '--cluster', 'files-prod', '--sim', ADOPT_FIXTURE, '--out', dir, '--force');

    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${path.join(dir, 'files-api.yaml')} already exists; nothing was written (--force overwrites)`);
    expect(kept).toBe('# mine\n');
    expect(untouched).toEqual(['files-api.yaml']);
    expect(forced.code).toBe(0);
    expect(readFileSync(path.join(dir, 'files-api.yaml'), 'utf8')).toContain('kind: Service');
  });

  it('says what it wrote as JSON, and refuses an unknown cluster', async () => {
    const dir = scratch();

    const json = await runCli('import', '--cluster', 'files-prod', '--sim', ADOPT_FIXTURE, '--out', dir, '-o', 'json');
    const unknown = await runCli('import', '--cluster', 'nope', '--sim', EXAMPLES_FIXTURE, '--out', scratch());

    expect(JSON.parse(json.stdout)).toMatchObject({
      environment: 'files-prod',
      directory: dir,
      files: [{ kind: 'Environment', name: 'files-prod' }, { kind: 'Service', name: 'files-api' }, { kind: 'AliasRecord', name: 'files-dns' }],
      skipped: [],
      problems: [],
    });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('error: ECS cluster nope does not exist in ap-northeast-1');
  });
});

async function loadFiles(files: Record<string, string>) {
  const dir = scratch();
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const loaded = await loadSpecPaths([dir]);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.specSet.environments[0];
}
