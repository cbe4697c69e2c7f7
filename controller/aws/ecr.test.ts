import { describe, expect, it } from 'vitest';
import { AwsCallError } from '../errors.js';
import { parseImageUri } from '../model/image.js';
import { SimAccount } from '../sim/account.js';
import { EcrAdapter } from './ecr.js';

const REGISTRY = '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com';

function world() {
  const account = new SimAccount({ seed: 5 }).seed({
    ecr: { repositories: { 'shop-api': [{ tags: ['v1'] }, { tags: ['v2', 'latest'] }], worker: [{ tags: ['latest'] }], 'team/batch': [] } },
  });
  const adapter = new EcrAdapter(account.clients().ecr);
  const describeCalls = () => account.calls.filter((c) => c.operation === 'DescribeImages');
  return { account, adapter, describeCalls };
}

const refs = (...uris: string[]) => uris.map(parseImageUri);

describe('EcrAdapter.resolveImages', () => {
  it('resolves tags and digests with one DescribeImages call per repository', async () => {
    const { account, adapter, describeCalls } = world();
    const [v1] = account.ecr.images('shop-api');

    const out = await adapter.resolveImages(refs(`${REGISTRY}/shop-api:latest`, `${REGISTRY}/shop-api@${v1.digest}`, `${REGISTRY}/worker`));

    expect(out.get(`${REGISTRY}/shop-api:latest`)).toEqual({
      repository: 'shop-api',
      registryId: '123456789012',
      digest: account.ecr.resolve(`${REGISTRY}/shop-api:v2`),
      tags: ['v2', 'latest'],
      pushedAt: account.clock.now(),
    });
    expect(out.get(`${REGISTRY}/shop-api@${v1.digest}`)).toMatchObject({ digest: v1.digest, tags: ['v1'] });
    expect(out.get(`${REGISTRY}/worker`)).toMatchObject({ repository: 'worker', tags: ['latest'] });
    expect(describeCalls().map((c) => [c.input.repositoryName, c.input.imageIds.length]).sort()).toEqual([
      ['shop-api', 2],
      ['worker', 1],
    ]);
  });

  it('asks for at most 100 image ids per call', async () => {
    const { account, adapter, describeCalls } = world();
    for (let i = 0; i < 150; i++) account.ecr.push('team/batch', `build-${i}`);

    const out = await adapter.resolveImages(refs(...Array.from({ length: 150 }, (_, i) => `${REGISTRY}/team/batch:build-${i}`)));

    expect(describeCalls().map((c) => c.input.imageIds.length)).toEqual([100, 50]);
    expect([...out.values()].every((r) => !(r instanceof AwsCallError))).toBe(true);
    expect(out.size).toBe(150);
  });

  it('does not let missing tags hide the images that exist', async () => {
    const { adapter, describeCalls } = world();

    const out = await adapter.resolveImages(refs(`${REGISTRY}/shop-api:v1`, `${REGISTRY}/shop-api:v9`, `${REGISTRY}/shop-api:v2`, `${REGISTRY}/shop-api:v8`));

    expect(out.get(`${REGISTRY}/shop-api:v1`)).toMatchObject({ tags: ['v1'] });
    expect(out.get(`${REGISTRY}/shop-api:v2`)).toMatchObject({ tags: ['v2', 'latest'] });
    const missing = out.get(`${REGISTRY}/shop-api:v9`);
    expect(missing).toBeInstanceOf(AwsCallError);
    expect(missing).toMatchObject({
      awsName: 'ImageNotFoundException',
      transient: false,
      message: `resolving image ${REGISTRY}/shop-api:v9: ImageNotFoundException: The image with imageId {imageDigest:'null', imageTag:'v9'} does not exist within the repository with name 'shop-api' in the registry with id '123456789012'`,
    });
    expect(out.get(`${REGISTRY}/shop-api:v8`)).toMatchObject({ awsName: 'ImageNotFoundException' });
    expect(describeCalls().map((c) => c.error)).toEqual(['ImageNotFoundException', 'ImageNotFoundException', undefined]);
  });

  it('fails every image of a missing repository and still resolves the others', async () => {
    const { adapter } = world();

    const out = await adapter.resolveImages(refs(`${REGISTRY}/ghost:v1`, `${REGISTRY}/ghost:v2`, `${REGISTRY}/worker:latest`));

    for (const uri of [`${REGISTRY}/ghost:v1`, `${REGISTRY}/ghost:v2`]) {
      expect(out.get(uri)).toMatchObject({
        awsName: 'RepositoryNotFoundException',
        message: `resolving image ${uri}: RepositoryNotFoundException: The repository with name 'ghost' does not exist in the registry with id '123456789012'`,
      });
    }
    expect(out.get(`${REGISTRY}/worker:latest`)).toMatchObject({ repository: 'worker' });
  });

  it('leaves images outside this region\'s ECR alone', async () => {
    const { adapter, describeCalls } = world();

    const out = await adapter.resolveImages(refs('datadog/agent:7', 'public.ecr.aws/nginx/nginx:1.27', '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api:v1'));

    expect(out.size).toBe(0);
    expect(describeCalls()).toHaveLength(0);
  });

  it('rides out throttling, and reports an error it cannot ride out per image instead of throwing', async () => {
    const { account, adapter, describeCalls } = world();
    account.faults.fail({ service: 'ecr', operation: 'DescribeImages', error: 'throttle', times: 2 });

    const retried = await adapter.resolveImages(refs(`${REGISTRY}/worker:latest`));
    account.faults.fail({ service: 'ecr', operation: 'DescribeImages', error: 'accessDenied', when: (input) => input.repositoryName === 'worker' });
    const denied = await adapter.resolveImages(refs(`${REGISTRY}/worker:latest`, `${REGISTRY}/shop-api:v1`));

    expect(retried.get(`${REGISTRY}/worker:latest`)).toMatchObject({ repository: 'worker' });
    expect(describeCalls().slice(0, 3).map((c) => c.error)).toEqual(['ThrottlingException', 'ThrottlingException', undefined]);
    expect(denied.get(`${REGISTRY}/worker:latest`)).toMatchObject({ awsName: 'AccessDeniedException', httpStatus: 403 });
    expect(denied.get(`${REGISTRY}/shop-api:v1`)).toMatchObject({ repository: 'shop-api' });
  });
});
