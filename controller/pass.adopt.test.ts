/**
 * Adopting an environment made by hand, as issue 25's user did: a Fargate service whose task
 * definition has EFS, FireLens, ulimits, an init process, Docker labels and ephemeral storage, and an
 * alias made in the console as `dualstack.<ALB>`. The spec says all of it (issue 20), so adopting
 * changes nothing but tags; a spec that leaves those fields out plans each removal by name.
 */
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createAdapters, runPass } from './pass.js';
import { isMutating, type SimAccount } from './sim/account.js';
import { simAccountFromFile } from './sim/fixture.js';
import { loadSpecPaths } from './spec/load.js';
import { runCli } from './testing/cli.js';

const FIXTURE = fileURLToPath(new URL('./sim/fixtures/adopt-files.yaml', import.meta.url));
const SPECS = fileURLToPath(new URL('./plan/testdata/adopt-files/', import.meta.url));

async function world() {
  const account = await simAccountFromFile(FIXTURE, { seed: 3 });
  const loaded = await loadSpecPaths([SPECS]);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const desired = loaded.specSet.environments[0];
  const adapters = createAdapters(account.clients());
  return { account, desired, pass: () => runPass({ desired, adapters, clock: account.clock, pollMs: 5_000 }) };
}

const mutations = (account: SimAccount, since: number) => account.calls.slice(since).filter((c) => isMutating(c.operation));

async function records(account: SimAccount) {
  const zone = account.route53.operations.ListHostedZonesByName({ DNSName: 'example.com' }) as { HostedZones: { Id: string; Name: string }[] };
  const id = zone.HostedZones.find((z) => z.Name === 'example.com.')!.Id;
  const out = await account.clients().route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: id }));
  return out.ResourceRecordSets!.filter((r) => r.Name!.includes('files'));
}

describe('adopting the FireLens + EFS + ulimits service', () => {
  it("changes nothing but the service's tags: the spec says everything its revision has", async () => {
    const { account, pass } = await world();
    const ecs = account.clients().ecs;

    const { result } = await pass();

    expect(result.plan!.actions.filter((a) => a.resource === 'Service/files-api').map((a) => a.kind)).toEqual(['TagResource']);
    expect(result.resources.find((r) => r.resource === 'Service/files-api')).toMatchObject({ phase: 'Synced' });
    expect(mutations(account, 0).filter((c) => c.service === 'ecs').map((c) => c.operation)).toEqual(['TagResource']);
    const svc = (await ecs.send(new DescribeServicesCommand({ cluster: 'files-prod', services: ['files-api'], include: ['TAGS'] }))).services![0];
    expect(svc.taskDefinition).toMatch(/task-definition\/files-api:1$/);
    expect(svc.tags).toContainEqual({ key: 'steady:resource', value: 'Service/files-api' });
    expect((await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'files-api' }))).taskDefinitionArns).toHaveLength(1);
    const td = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'files-api:1' }))).taskDefinition!;
    expect(td.volumes).toEqual([{ name: 'shared', efsVolumeConfiguration: { fileSystemId: 'fs-0123456789abcdef0', transitEncryption: 'ENABLED' } }]);
  });

  it('is in sync on the next pass, changing nothing', async () => {
    const { account, pass } = await world();
    await pass();
    const since = account.calls.length;

    const { result } = await pass();

    expect(result.resources.find((r) => r.resource === 'Service/files-api')).toMatchObject({ phase: 'Synced', reason: 'UpToDate' });
    expect(mutations(account, since)).toEqual([]);
  });

  it('`steady plan -o json` plans the adoption and nothing else: no drift, nothing to register', async () => {
    const { stdout } = await runCli('plan', SPECS, '--sim', FIXTURE, '-o', 'json');

    const report = JSON.parse(stdout).environments[0];
    const files = report.resources.find((r: { resource: string }) => r.resource === 'Service/files-api');
    expect(files.actions.map((a: { kind: string }) => a.kind)).toEqual(['TagResource']);
    expect(files.drift ?? []).toEqual([]);
    expect(report.summary).not.toContain('to register');
  });

  it("with issue 25's spec, which leaves those fields out, plans the removal of each, by name", async () => {
    const { account, desired } = await world();
    const svc = structuredClone(desired.services[0]);
    const td = svc.spec.taskDefinition;
    delete td.ephemeralStorage;
    delete td.volumes;
    delete td.containers[0].firelensConfiguration;
    for (const f of ['mountPoints', 'ulimits', 'linuxParameters', 'dockerLabels'] as const) delete td.containers[1][f];
    td.containers[1].logConfiguration = { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/files-api' }, secretOptions: {} };

    const { result } = await runPass({ desired: { ...desired, services: [svc] }, adapters: createAdapters(account.clients()), clock: account.clock, pollMs: 5_000, dryRun: true });

    const register = result.plan!.actions.find((a) => a.kind === 'RegisterTaskDefinition')!;
    expect(register.diff.filter((d) => d.after === undefined).map((d) => d.path)).toEqual([
      'taskDefinition.containers[log_router].firelensConfiguration',
      'taskDefinition.containers[app].mountPoints',
      'taskDefinition.containers[app].ulimits',
      'taskDefinition.containers[app].linuxParameters',
      'taskDefinition.containers[app].dockerLabels',
      'taskDefinition.containers[app].logConfiguration.options.Name',
      'taskDefinition.containers[app].logConfiguration.options.region',
      'taskDefinition.containers[app].logConfiguration.options.log_group_name',
      'taskDefinition.ephemeralStorage',
      'taskDefinition.volumes',
    ]);
  });
});

describe('adopting a console-made alias to dualstack.<ALB>', () => {
  it('writes only the ownership record: the alias stays exactly as it was made', async () => {
    const { account, pass } = await world();
    const before = await records(account);

    const { result } = await pass();
    account.clock.advance(120_000);

    const changes = account.calls.filter((c) => c.operation === 'ChangeResourceRecordSets');
    expect(changes).toHaveLength(1);
    expect(changes[0].input.ChangeBatch.Changes.map((c: { Action: string; ResourceRecordSet: { Name: string; Type: string } }) => `${c.Action} ${c.ResourceRecordSet.Name} ${c.ResourceRecordSet.Type}`)).toEqual([
      'UPSERT _steady-a.files.example.com. TXT',
    ]);
    const after = await records(account);
    const alias = (rs: typeof after) => rs.find((r) => r.Type === 'A');
    expect(alias(before)!.AliasTarget!.DNSName).toMatch(/^dualstack\.files-alb-\d+\.ap-northeast-1\.elb\.amazonaws\.com\.$/);
    expect(alias(after)).toEqual(alias(before));
    expect(result.resources.find((r) => r.resource === 'AliasRecord/files-dns')).toMatchObject({ phase: 'Synced' });
  });

  it('is in sync on the next pass, dualstack and all', async () => {
    const { account, pass } = await world();
    await pass();
    account.clock.advance(120_000);
    const since = account.calls.length;

    const { result } = await pass();

    expect(result.resources.find((r) => r.resource === 'AliasRecord/files-dns')).toMatchObject({ phase: 'Synced', reason: 'UpToDate' });
    expect(mutations(account, since)).toEqual([]);
  });
});
