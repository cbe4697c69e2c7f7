import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DescribeClustersCommand } from '@aws-sdk/client-ecs';
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simAccountFromFile, simOrganizationFromFile } from './fixture.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'steady-fixture-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function fixtureFile(name: string, yaml: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, yaml);
  return file;
}

const ORGANISATION = `accountId: "123456789012"
region: ap-northeast-1
ecs: { clusters: [shop-prod] }
accounts:
  - accountId: "210987654321"
    role: { name: steady-target, externalId: messaging }
    ecr: { repositories: { messaging-api: [{ tags: [v2.7.1] }] } }
    ecs: { clusters: [messaging-prod] }
`;

describe('simOrganizationFromFile', () => {
  it('seeds each account with its own sections and the role that trusts the controller with the external id', async () => {
    const org = await simOrganizationFromFile(await fixtureFile('org.yaml', ORGANISATION));

    const clusters = async (clients: ReturnType<typeof org.clients>) => (await clients.ecs.send(new DescribeClustersCommand({ clusters: ['shop-prod', 'messaging-prod'] }))).clusters?.map((c) => c.clusterName);
    expect(await clusters(org.clients())).toEqual(['shop-prod']);

    const denied = await org
      .stsClient()
      .send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::210987654321:role/steady-target', RoleSessionName: 'pass-1', ExternalId: 'wrong' }))
      .catch((e: Error) => e.name);
    expect(denied).toBe('AccessDenied');
    const { Credentials } = await org.stsClient().send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::210987654321:role/steady-target', RoleSessionName: 'pass-1', ExternalId: 'messaging' }));
    const target = org.clients({ credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! } });
    expect(await clusters(target)).toEqual(['messaging-prod']);
    const images = await target.ecr.send(new DescribeImagesCommand({ repositoryName: 'messaging-api' }));
    expect(images.imageDetails?.map((i) => i.imageTags)).toEqual([['v2.7.1']]);
    // One simulated account per account of the fixture, nothing else.
    expect(org.accounts().map((a) => a.accountId)).toEqual(['123456789012', '210987654321']);
  });

  it('says where a fixture of accounts is wrong', async () => {
    const problem = async (name: string, yaml: string) => (await simOrganizationFromFile(await fixtureFile(name, yaml)).catch((e: Error) => e)) as Error;

    expect((await problem('unquoted.yaml', 'accounts:\n  - accountId: 210987654321\n')).message).toBe(`${path.join(dir, 'unquoted.yaml')}: accounts[0]: accountId must be 12 digits in quotes, got 210987654321`);
    expect((await problem('typo.yaml', 'accounts:\n  - accountId: "210987654321"\n    ecz: {}\n')).message).toMatch(/accounts\[0\]: unknown section "ecz"; expected accountId, region, start, ecr, .*, role$/);
    expect((await problem('home.yaml', 'accounts:\n  - accountId: "123456789012"\n')).message).toMatch(/accounts\[0\]: 123456789012 is the controller's account \(the top-level sections\)$/);
    expect((await problem('role.yaml', 'accounts:\n  - accountId: "210987654321"\n    role: { name: "a b" }\n')).message).toMatch(/accounts\[0\]: role.name must be an IAM role name, got "a b"$/);
  });

  it('is refused by simAccountFromFile, which builds one account', async () => {
    const file = await fixtureFile('org2.yaml', ORGANISATION);
    await expect(simAccountFromFile(file)).rejects.toThrow(`${file}: "accounts" describes a simulated organisation; this needs one account (simOrganizationFromFile reads organisations)`);
  });
});
