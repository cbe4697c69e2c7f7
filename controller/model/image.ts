/**
 * Container image URIs taken apart and put back together. Pure: no I/O, no SDK import.
 *
 * Only ECR images can be resolved to digests by steady (through ECR DescribeImages); any other
 * registry (Docker Hub, `public.ecr.aws`, ghcr.io, ...) is left exactly as written.
 */
import type { ImageRef } from './aws.js';

const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** True when `value` is an image digest as ECR and ECS spell it (`sha256:` + 64 hex digits). */
export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

/**
 * Splits an image URI into registry/repository name, tag and digest. A URI with neither tag nor
 * digest means tag `latest`, as for `docker pull`. With both (`repo:tag@sha256:...`) the digest
 * is what runs; the tag is kept for display. Only `sha256:` + 64 hex digits after `@` is a digest,
 * and only `<12 digits>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]` exactly is an ECR host.
 *
 * @example
 * parseImageUri('123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop/api:v2')
 * // { uri, name: '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop/api', tag: 'v2',
 * //   ecr: { registryId: '123456789012', region: 'ap-northeast-1', repository: 'shop/api' } }
 * parseImageUri('datadog/agent:7') // { uri, name: 'datadog/agent', tag: '7' }
 */
export function parseImageUri(uri: string): ImageRef {
  let rest = uri.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    // `repo@xsha256:…` or `repo@md5:…` is no image reference steady can resolve or pin: it is left
    // exactly as written (never sent to ECR as a digest, never taken for a pinned image).
    if (!isDigest(digest)) return { uri, name: uri };
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  // A colon before the last slash belongs to a registry port (localhost:5000/app), not a tag.
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (!tag && !digest) tag = 'latest';

  const ref: ImageRef = { uri, name: rest };
  if (tag) ref.tag = tag;
  if (digest) ref.digest = digest;
  const slash = rest.indexOf('/');
  const host = ECR_HOST.exec(slash === -1 ? '' : rest.slice(0, slash));
  if (host) ref.ecr = { registryId: host[1], region: host[2], repository: rest.slice(slash + 1) };
  return ref;
}

/** True for images in a private ECR registry, the only ones steady resolves to digests. */
export function isEcrImage(ref: ImageRef): ref is ImageRef & { ecr: NonNullable<ImageRef['ecr']> } {
  return ref.ecr !== undefined;
}

/**
 * The URI that pins `ref` to `digest`: `<name>@sha256:...` (the tag is dropped, because with a
 * digest present the tag is ignored by every runtime and would only mislead a reader).
 *
 * @example
 * pinImage(parseImageUri('1234.../shop-api:latest'), 'sha256:ab...') // '1234.../shop-api@sha256:ab...'
 */
export function pinImage(ref: ImageRef, digest: string): string {
  if (!isDigest(digest)) throw new Error(`not an image digest: ${digest}`);
  return `${ref.name}@${digest}`;
}
