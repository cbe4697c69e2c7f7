import { describe, expect, it } from 'vitest';
import { isDigest, isEcrImage, parseImageUri, pinImage } from './image.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const ECR = '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com';

describe('parseImageUri', () => {
  it.each([
    [`${ECR}/shop-api:v2`, { name: `${ECR}/shop-api`, tag: 'v2', ecr: { registryId: '123456789012', region: 'ap-northeast-1', repository: 'shop-api' } }],
    [`${ECR}/team/shop-api`, { name: `${ECR}/team/shop-api`, tag: 'latest', ecr: { registryId: '123456789012', region: 'ap-northeast-1', repository: 'team/shop-api' } }],
    [`${ECR}/shop-api@${DIGEST}`, { name: `${ECR}/shop-api`, digest: DIGEST, ecr: { registryId: '123456789012', region: 'ap-northeast-1', repository: 'shop-api' } }],
    [`${ECR}/shop-api:v2@${DIGEST}`, { name: `${ECR}/shop-api`, tag: 'v2', digest: DIGEST }],
    ['210987654321.dkr.ecr-fips.us-east-1.amazonaws.com/app:1', { ecr: { registryId: '210987654321', region: 'us-east-1', repository: 'app' } }],
    ['datadog/agent:7', { name: 'datadog/agent', tag: '7' }],
    ['nginx', { name: 'nginx', tag: 'latest' }],
    ['public.ecr.aws/nginx/nginx:1.27', { name: 'public.ecr.aws/nginx/nginx', tag: '1.27' }],
    ['localhost:5000/app', { name: 'localhost:5000/app', tag: 'latest' }],
  ])('takes %s apart', (uri, expected) => {
    const ref = parseImageUri(uri);

    expect(ref).toMatchObject({ uri, ...expected });
  });

  it('does not treat other registries as ECR', () => {
    expect(isEcrImage(parseImageUri('public.ecr.aws/nginx/nginx:1.27'))).toBe(false);
    expect(isEcrImage(parseImageUri('datadog/agent:7'))).toBe(false);
    expect(parseImageUri('datadog/agent:7').ecr).toBeUndefined();
    expect(isEcrImage(parseImageUri(`${ECR}/shop-api`))).toBe(true);
  });
});

describe('pinImage', () => {
  it('replaces the tag with the digest', () => {
    expect(pinImage(parseImageUri(`${ECR}/shop-api:latest`), DIGEST)).toBe(`${ECR}/shop-api@${DIGEST}`);
  });

  it('re-pins an already pinned image to the new digest', () => {
    const other = `sha256:${'cd'.repeat(32)}`;
    expect(pinImage(parseImageUri(`${ECR}/shop-api@${DIGEST}`), other)).toBe(`${ECR}/shop-api@${other}`);
  });

  it('refuses something that is not a digest', () => {
    expect(() => pinImage(parseImageUri(`${ECR}/shop-api`), 'latest')).toThrow('not an image digest: latest');
    expect(isDigest('sha256:abc')).toBe(false);
  });
});
