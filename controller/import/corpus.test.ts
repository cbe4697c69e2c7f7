/**
 * Round trip on real-world task definitions (controller/spec/testdata/taskdefs/): each one,
 * registered as its source shows it and run as a service with the settings given, is imported by
 * `steady import`; `steady plan` on what was written plans nothing but the adoption.
 */
import { CreateServiceCommand, RegisterTaskDefinitionCommand, type CreateServiceCommandInput, type RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SimAccount } from '../sim/account.js';
import { ECS_WORLD_ELBV2, NETWORK } from '../testing/ecs-world.js';
import { beyondAdoption, roundTrip } from '../testing/import-world.js';

const CORPUS = fileURLToPath(new URL('../spec/testdata/taskdefs/', import.meta.url));
const FILES = readdirSync(CORPUS).filter((f) => f.endsWith('.json')).sort();

interface Example {
  source: string;
  taskDefinition: RegisterTaskDefinitionCommandInput;
  service: Partial<CreateServiceCommandInput>;
}

/** The test account with the ECR images the examples name (tags, and the digests some are pinned to). */
function account(): SimAccount {
  const a = new SimAccount({ seed: 8 }).seed({
    ecr: { repositories: { web: [{ tags: ['1.4.2'] }], colorteller: [{ tags: ['latest'] }], ingest: [{ tags: ['2.0.1'] }], 'exec-debug': [], 'scorekeep-api': [] } },
    elbv2: ECS_WORLD_ELBV2,
    ecs: { clusters: ['corpus'] },
  });
  a.ecr.push('exec-debug', 'v3', `sha256:${'1'.repeat(64)}`);
  a.ecr.push('scorekeep-api', undefined, `sha256:${'2'.repeat(64)}`);
  return a;
}

async function run(file: string) {
  const example = JSON.parse(readFileSync(`${CORPUS}${file}`, 'utf8')) as Example;
  const a = account();
  const ecs = a.clients().ecs;
  const td = (await ecs.send(new RegisterTaskDefinitionCommand(example.taskDefinition))).taskDefinition!;
  const { service } = example;
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'corpus',
      serviceName: example.taskDefinition.family,
      taskDefinition: td.taskDefinitionArn,
      networkConfiguration: NETWORK,
      ...(service.capacityProviderStrategy ? {} : { launchType: 'FARGATE' }),
      ...service,
    }),
  );
  a.clock.advance(120_000);
  return roundTrip(a, { cluster: 'corpus' });
}

describe('steady import of real-world task definitions', () => {
  it('has the examples the issue names: the AWS documentation, Datadog/FireLens, EFS, ECS Exec, Service Connect', () => {
    expect(FILES).toEqual(
      expect.arrayContaining(['fargate-webserver.json', 'datadog-firelens.json', 'firelens-cloudwatch.json', 'efs-access-point.json', 'ecs-exec.json', 'service-connect.json']),
    );
  });

  it.each(FILES)('%s: the plan of what import wrote is adoption only', async (file) => {
    const { result, docs } = await run(file);

    expect(docs.filter((d) => d.kind === 'Service')).toHaveLength(1);
    expect(beyondAdoption(result)).toEqual([]);
    expect(result.resources.filter((r) => r.phase !== 'Synced').map((r) => `${r.resource} ${r.phase} ${r.message}`)).toEqual([]);
    expect(result.plan!.actions.map((a) => a.kind)).toEqual(['TagResource']);
  });

  it('writes what each example says in the spec language: FireLens with its secret option, Service Connect, ECS Exec on Fargate Spot', async () => {
    const datadog = (await run('datadog-firelens.json')).files['datadog-web.yaml'];
    const orders = (await run('service-connect.json')).files['orders.yaml'];
    const exec = (await run('ecs-exec.json')).files['exec-debug.yaml'];

    expect(datadog).toContain('          secretOptions:\n            apikey: arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:datadog/api-key-Ab12Cd\n');
    expect(datadog).toContain('        firelensConfiguration:\n          type: fluentbit\n');
    expect(datadog).toContain('imageOwner: external');
    expect(orders).toContain('  serviceConnectConfiguration:\n    enabled: true\n    namespace: shop.local\n');
    expect(exec).toContain('  enableExecuteCommand: true\n');
    expect(exec).toContain('  capacityProviderStrategy:\n    - capacityProvider: FARGATE_SPOT\n      weight: 1\n');
    expect(exec).toContain('image: 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/exec-debug:v3\n');
  });
});
