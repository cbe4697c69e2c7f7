/**
 * Adopting an environment made by hand, as issue 25's user did: a Fargate service whose task
 * definition has more than the spec language can say (EFS, FireLens, ulimits, an init process,
 * Docker labels, ephemeral storage), and an alias made in the console as `dualstack.<ALB>`. steady
 * must drop nothing: the service is Blocked with every field named and nothing of it changes; the
 * alias is adopted as it is.
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
import { FIRELENS_UNEXPRESSIBLE } from './testing/firelens.js';

const FIXTURE = fileURLToPath(new URL('./sim/fixtures/adopt-files.yaml', import.meta.url));
const SPECS = fileURLToPath(new URL('./plan/testdata/adopt-files/', import.meta.url));

async function world() {
  const account = await simAccountFromFile(FIXTURE, { seed: 3 });
  const loaded = await loadSpecPaths([SPECS]);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const desired = loaded.specSet.environments[0];
  const adapters = createAdapters(account.clients());
  return { account, pass: () => runPass({ desired, adapters, clock: account.clock, pollMs: 5_000 }) };
}

const mutations = (account: SimAccount, since: number) => account.calls.slice(since).filter((c) => isMutating(c.operation));

async function records(account: SimAccount) {
  const zone = account.route53.operations.ListHostedZonesByName({ DNSName: 'example.com' }) as { HostedZones: { Id: string; Name: string }[] };
  const id = zone.HostedZones.find((z) => z.Name === 'example.com.')!.Id;
  const out = await account.clients().route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: id }));
  return out.ResourceRecordSets!.filter((r) => r.Name!.includes('files'));
}

/** The names a blocked status lists after "cannot express: ". */
function named(message: string): string[] {
  return /cannot express: (.*?)\. A revision/.exec(message)![1].split(', ');
}

describe('adopting the FireLens + EFS + ulimits service', () => {
  it('is blocked, names every field the spec cannot say, and changes nothing of the service', async () => {
    const { account, pass } = await world();
    const ecs = account.clients().ecs;

    const { result } = await pass();

    const status = result.resources.find((r) => r.resource === 'Service/files-api')!;
    expect(status).toMatchObject({ phase: 'Blocked', reason: 'UnexpressibleFields' });
    expect(named(status.message)).toEqual(FIRELENS_UNEXPRESSIBLE);
    expect(status.message).toMatch(/^ECS service files-api runs files-api:1, which has content the spec language cannot express: /);
    expect(result.plan!.actions.filter((a) => a.resource === 'Service/files-api')).toEqual([]);
    // Nothing of ECS was called to change: no revision, no update, no adoption tag.
    expect(mutations(account, 0).filter((c) => c.service === 'ecs')).toEqual([]);
    const svc = (await ecs.send(new DescribeServicesCommand({ cluster: 'files-prod', services: ['files-api'], include: ['TAGS'] }))).services![0];
    expect(svc.taskDefinition).toMatch(/task-definition\/files-api:1$/);
    expect(svc.tags ?? []).toEqual([]);
    expect((await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'files-api' }))).taskDefinitionArns).toHaveLength(1);
    const td = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'files-api:1' }))).taskDefinition!;
    expect(td.volumes).toEqual([{ name: 'shared', efsVolumeConfiguration: { fileSystemId: 'fs-0123456789abcdef0', transitEncryption: 'ENABLED' } }]);
  });

  it('stays blocked, and still changes nothing, pass after pass', async () => {
    const { account, pass } = await world();
    await pass();
    const since = account.calls.length;

    const { result } = await pass();

    expect(result.resources.find((r) => r.resource === 'Service/files-api')).toMatchObject({ phase: 'Blocked', reason: 'UnexpressibleFields' });
    expect(mutations(account, since)).toEqual([]);
  });

  it('`steady plan -o json` lists every field, the removal of each in the drift, and nothing to register', async () => {
    const { stdout } = await runCli('plan', SPECS, '--sim', FIXTURE, '-o', 'json');

    const report = JSON.parse(stdout).environments[0];
    const files = report.resources.find((r: { resource: string }) => r.resource === 'Service/files-api');
    expect(files).toMatchObject({ outcome: 'unrepaired', blockedBy: 'unexpressible', reason: 'UnexpressibleFields', actions: [] });
    expect(named(files.message)).toEqual(FIRELENS_UNEXPRESSIBLE);
    expect(files.drift.map((d: { path: string }) => d.path)).toEqual([
      'taskDefinition.containers[log_router].firelensConfiguration',
      'taskDefinition.containers[app].image',
      'taskDefinition.containers[app].mountPoints',
      'taskDefinition.containers[app].ulimits',
      'taskDefinition.containers[app].linuxParameters',
      'taskDefinition.containers[app].dockerLabels',
      'taskDefinition.ephemeralStorage',
      'taskDefinition.volumes',
    ]);
    expect(report.summary).not.toContain('to register');
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
