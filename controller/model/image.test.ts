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

describe('image references steady resolves are exactly ECR digests and ECR hosts', () => {
  it.each([
    [`x${DIGEST}`, 'a prefix before sha256:'],
    [`${DIGEST}0`, 'a 65th hex digit'],
    [`sha256:${'AB'.repeat(32)}`, 'upper-case hex'],
    [`md5:${'ab'.repeat(16)}`, 'another algorithm'],
  ])('%s is not a digest (%s)', (value) => {
    expect(isDigest(value)).toBe(false);
    expect(() => pinImage(parseImageUri(`${ECR}/shop-api`), value)).toThrow(`not an image digest: ${value}`);
  });

  it('an image "pinned" to something that is not a sha256 digest is neither pinned nor resolved in ECR', () => {
    const uri = `${ECR}/shop-api@x${DIGEST}`;
    const ref = parseImageUri(uri);

    expect(ref).toEqual({ uri, name: uri });
    expect(isEcrImage(ref)).toBe(false);
  });

  it.each([
    [`${ECR}.evil.example/shop-api:v2`, 'an ECR host with a suffix'],
    [`evil-${ECR}/shop-api:v2`, 'an ECR host with a prefix'],
    ['x123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api:v2', 'a 13-character account'],
    ['12345678901.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api:v2', 'an 11-digit account'],
    ['123456789012.dkr.ecr.ap-northeast-1.amazonaws.com.cn.evil/shop-api:v2', 'a China host with a suffix'],
    ['123456789012.dkrXecrXap-northeast-1.amazonaws.com/shop-api:v2', 'dots replaced'],
    [`shop/${ECR}/api:v2`, 'an ECR host that is not the registry'],
  ])('%s is not an ECR image (%s)', (uri) => {
    expect(parseImageUri(uri).ecr).toBeUndefined();
  });

  it('the China and FIPS ECR hosts are ECR', () => {
    expect(parseImageUri('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1').ecr).toEqual({ registryId: '123456789012', region: 'cn-north-1', repository: 'app' });
    expect(parseImageUri('123456789012.dkr.ecr-fips.us-east-1.amazonaws.com/app:1').ecr).toEqual({ registryId: '123456789012', region: 'us-east-1', repository: 'app' });
  });

  it('a registry port is not a tag, and the tag is what follows the last colon after the last slash', () => {
    expect(parseImageUri('localhost:5000/team/app:v1')).toEqual({ uri: 'localhost:5000/team/app:v1', name: 'localhost:5000/team/app', tag: 'v1' });
    expect(parseImageUri(` ${ECR}/shop-api:v2 `)).toMatchObject({ name: `${ECR}/shop-api`, tag: 'v2' });
  });
});

describe('an image reference has only the parts it was written with', () => {
  it('a tagged image has no digest, a pinned one no tag, and nothing else is added', () => {
    expect(parseImageUri(`${ECR}/shop-api@${DIGEST}`)).toStrictEqual({
      uri: `${ECR}/shop-api@${DIGEST}`,
      name: `${ECR}/shop-api`,
      digest: DIGEST,
      ecr: { registryId: '123456789012', region: 'ap-northeast-1', repository: 'shop-api' },
    });
    expect(parseImageUri('datadog/agent:7')).toStrictEqual({ uri: 'datadog/agent:7', name: 'datadog/agent', tag: '7' });
    expect(parseImageUri('nginx')).toStrictEqual({ uri: 'nginx', name: 'nginx', tag: 'latest' });
  });

  it('a name without a slash is never an ECR image, even one spelled like an ECR host', () => {
    // Without a registry part there is no host to check: the whole name is a Docker Hub repository.
    expect(parseImageUri(`${ECR}x:v1`).ecr).toBeUndefined();
    expect(parseImageUri(`${ECR}:v1`).ecr).toBeUndefined();
  });

  it('the ECR repository is everything after the host, nested paths included', () => {
    expect(parseImageUri(`${ECR}/a/b/c:1`).ecr).toStrictEqual({ registryId: '123456789012', region: 'ap-northeast-1', repository: 'a/b/c' });
  });
});

