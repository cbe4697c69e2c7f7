import { createHash } from 'node:crypto';
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  PutImageCommand,
} from '@aws-sdk/client-ecr';
import { describe, expect, it } from 'vitest';
import { SimAccount } from './account.js';

function setup(fixture: Parameters<SimAccount['seed']>[0] = {}) {
  const account = new SimAccount({ seed: 3 }).seed(fixture);
  return { account, ecr: account.clients().ecr };
}

describe('simulated ECR', () => {
  it('moves a pushed tag and leaves the old image untagged with its digest', async () => {
    const { account, ecr } = setup({ ecr: { repositories: { 'shop-api': [{ tags: ['latest', 'v1'] }] } } });
    const [first] = account.ecr.images('shop-api');

    const second = account.ecr.push('shop-api', 'v1');
    const third = account.ecr.push('shop-api', 'latest');
    const out = await ecr.send(new DescribeImagesCommand({ repositoryName: 'shop-api' }));

    expect(out.imageDetails?.map((d) => [d.imageDigest, d.imageTags])).toEqual([
      [first.digest, undefined],
      [second, ['v1']],
      [third, ['latest']],
    ]);
    expect(first.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('seeds images with given digests in push order', () => {
    const digest = `sha256:${'1'.repeat(64)}`;
    const { account } = setup({ ecr: { repositories: { app: [{ tags: ['latest'] }, { tags: ['latest', 'v2'], digest }], empty: [] } } });

    expect(account.ecr.images('app')).toEqual([
      { digest: expect.any(String), tags: [] },
      { digest, tags: ['latest', 'v2'] },
    ]);
    expect(account.ecr.images('empty')).toEqual([]);
  });

  it('resolves tag and digest URIs of its own registry only', () => {
    const { account } = setup({ ecr: { repositories: { app: [{ tags: ['v1'] }] } } });
    const [{ digest }] = account.ecr.images('app');

    expect(account.ecr.resolve(account.ecr.uri('app', 'v1'))).toBe(digest);
    expect(account.ecr.resolve(`${account.ecr.registry}/app@${digest}`)).toBe(digest);
    expect(account.ecr.resolve(account.ecr.uri('app', 'v2'))).toBeUndefined();
    expect(account.ecr.resolve(account.ecr.uri('nope'))).toBeUndefined();
    expect(account.ecr.resolve(`999999999999.dkr.ecr.${account.region}.amazonaws.com/app:v1`)).toBeUndefined();
    expect(account.ecr.resolve('nginx:latest')).toBeUndefined();
  });

  it('describes requested image ids by tag and digest, once per image', async () => {
    const { account, ecr } = setup({ ecr: { repositories: { app: [{ tags: ['v1', 'latest'] }] } } });
    const [{ digest }] = account.ecr.images('app');

    const out = await ecr.send(new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v1' }, { imageDigest: digest }] }));

    expect(out.imageDetails).toEqual([
      expect.objectContaining({ registryId: account.accountId, repositoryName: 'app', imageDigest: digest, imageTags: ['v1', 'latest'] }),
    ]);
  });

  it('fails DescribeImages naming the first missing tag, as AWS words it', async () => {
    const { ecr } = setup({ ecr: { repositories: { app: [{ tags: ['v1'] }] } } });

    await expect(
      ecr.send(new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v1' }, { imageTag: 'v9' }, { imageTag: 'v8' }] })),
    ).rejects.toMatchObject({
      name: 'ImageNotFoundException',
      message:
        "The image with imageId {imageDigest:'null', imageTag:'v9'} does not exist within the repository with name 'app' in the registry with id '123456789012'",
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('names a missing digest with imageTag null', async () => {
    const { ecr } = setup({ ecr: { repositories: { app: [] } } });
    const digest = `sha256:${'f'.repeat(64)}`;

    await expect(ecr.send(new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageDigest: digest }] }))).rejects.toThrow(
      `The image with imageId {imageDigest:'${digest}', imageTag:'null'} does not exist`,
    );
  });

  it('refuses an unknown repository and a foreign registry with RepositoryNotFoundException', async () => {
    const { ecr } = setup({ ecr: { repositories: { app: [] } } });

    await expect(ecr.send(new DescribeImagesCommand({ repositoryName: 'nope' }))).rejects.toMatchObject({
      name: 'RepositoryNotFoundException',
      message: "The repository with name 'nope' does not exist in the registry with id '123456789012'",
    });
    await expect(ecr.send(new DescribeImagesCommand({ repositoryName: 'app', registryId: '999999999999' }))).rejects.toMatchObject({
      name: 'RepositoryNotFoundException',
      message: "The repository with name 'app' does not exist in the registry with id '999999999999'",
    });
  });

  it('pages images with maxResults and an opaque nextToken, and filters by tag status', async () => {
    const { account, ecr } = setup({ ecr: { repositories: { app: [] } } });
    for (let i = 0; i < 5; i++) account.ecr.push('app', i % 2 ? `v${i}` : undefined);

    const first = await ecr.send(new DescribeImagesCommand({ repositoryName: 'app', maxResults: 2 }));
    const second = await ecr.send(new DescribeImagesCommand({ repositoryName: 'app', maxResults: 2, nextToken: first.nextToken }));
    const third = await ecr.send(new DescribeImagesCommand({ repositoryName: 'app', maxResults: 2, nextToken: second.nextToken }));
    const tagged = await ecr.send(new DescribeImagesCommand({ repositoryName: 'app', filter: { tagStatus: 'TAGGED' } }));
    const untagged = await ecr.send(new DescribeImagesCommand({ repositoryName: 'app', filter: { tagStatus: 'UNTAGGED' } }));

    expect([first, second, third].map((p) => p.imageDetails?.length)).toEqual([2, 2, 1]);
    expect(third.nextToken).toBeUndefined();
    expect(new Set([first, second, third].flatMap((p) => p.imageDetails!.map((d) => d.imageDigest))).size).toBe(5);
    expect(tagged.imageDetails?.map((d) => d.imageTags)).toEqual([['v1'], ['v3']]);
    expect(untagged.imageDetails).toHaveLength(3);
  });

  it('rejects maxResults together with imageIds, and more than 100 image ids', async () => {
    const { ecr } = setup({ ecr: { repositories: { app: [{ tags: ['v1'] }] } } });
    const ids = Array.from({ length: 101 }, (_, i) => ({ imageTag: `t${i}` }));

    await expect(ecr.send(new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v1' }], maxResults: 5 }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    await expect(ecr.send(new DescribeImagesCommand({ repositoryName: 'app', imageIds: ids }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: "Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length between 1 and 100'",
    });
  });

  it('reports missing images of BatchGetImage as failures, not an exception', async () => {
    const { ecr } = setup({ ecr: { repositories: { app: [{ tags: ['v1'] }] } } });

    const out = await ecr.send(new BatchGetImageCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v1' }, { imageTag: 'v2' }] }));

    expect(out.images?.map((i) => i.imageId)).toEqual([{ imageDigest: expect.stringMatching(/^sha256:/), imageTag: 'v1' }]);
    expect(out.failures).toEqual([{ imageId: { imageTag: 'v2' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }]);
  });

  it('pushes through PutImage with the manifest digest and refuses to overwrite an immutable tag', async () => {
    const { ecr, account } = setup();
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'frozen', imageTagMutability: 'IMMUTABLE' }));

    const put = await ecr.send(new PutImageCommand({ repositoryName: 'frozen', imageManifest: '{"v":1}', imageTag: 'v1' }));

    expect(put.image?.imageId?.imageDigest).toBe(`sha256:${createHash('sha256').update('{"v":1}').digest('hex')}`);
    expect(account.ecr.resolve(account.ecr.uri('frozen', 'v1'))).toBe(put.image?.imageId?.imageDigest);
    await expect(ecr.send(new PutImageCommand({ repositoryName: 'frozen', imageManifest: '{"v":2}', imageTag: 'v1' }))).rejects.toMatchObject({
      name: 'ImageTagAlreadyExistsException',
      message: "The image tag 'v1' already exists in the 'frozen' repository and cannot be overwritten because the repository is immutable.",
    });
    await expect(ecr.send(new PutImageCommand({ repositoryName: 'frozen', imageManifest: '{"v":1}', imageTag: 'v1' }))).rejects.toMatchObject({
      name: 'ImageAlreadyExistsException',
    });
  });

  it('creates, lists and refuses duplicate repositories', async () => {
    const { ecr } = setup();

    const created = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/api' }));
    const listed = await ecr.send(new DescribeRepositoriesCommand({}));

    expect(created.repository).toMatchObject({
      repositoryName: 'team/api',
      repositoryArn: 'arn:aws:ecr:ap-northeast-1:123456789012:repository/team/api',
      repositoryUri: '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/team/api',
      imageTagMutability: 'MUTABLE',
    });
    expect(listed.repositories?.map((r) => r.repositoryName)).toEqual(['team/api']);
    await expect(ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/api' }))).rejects.toMatchObject({
      name: 'RepositoryAlreadyExistsException',
      message: "The repository with name 'team/api' already exists in the registry with id '123456789012'",
    });
    await expect(ecr.send(new CreateRepositoryCommand({ repositoryName: 'Bad_Name' }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('hides a just-pushed image from reads while stale reads are injected', async () => {
    const { account, ecr } = setup({ ecr: { repositories: { app: [] } } });
    account.faults.staleReads({ service: 'ecr', forMs: 5_000 });
    account.clock.advance(10_000);
    account.ecr.push('app', 'v1');

    const before = await ecr.send(new DescribeImagesCommand({ repositoryName: 'app' }));
    account.clock.advance(5_000);
    const after = await ecr.send(new DescribeImagesCommand({ repositoryName: 'app' }));

    expect(before.imageDetails).toEqual([]);
    expect(after.imageDetails?.map((d) => d.imageTags)).toEqual([['v1']]);
  });
});
