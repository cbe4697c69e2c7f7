/**
 * The ECR adapter: resolves image URIs to digests so steady can pin task definitions
 * (`<repo>@sha256:...`) and refuse a URI that does not exist before anything rolls out.
 */
import { DescribeImagesCommand, type ECRClient, type ImageDetail, type ImageIdentifier } from '@aws-sdk/client-ecr';
import { AwsCallError, awsCall } from '../errors.js';
import type { EcrImage, ImageRef } from '../model/aws.js';

/** What one image URI resolved to: the image, or why it could not be resolved. */
export type ImageResolution = EcrImage | AwsCallError;

type EcrRef = ImageRef & { ecr: NonNullable<ImageRef['ecr']> };

/**
 * Amazon ECR as steady uses it.
 *
 * @example
 * const resolved = await new EcrAdapter(clients.ecr).resolveImages(uris.map(parseImageUri));
 * const image = resolved.get(uri); // EcrImage, AwsCallError, or undefined for a non-ECR image
 */
export class EcrAdapter {
  readonly #client: ECRClient;

  constructor(client: ECRClient) {
    this.#client = client;
  }

  /**
   * Resolves ECR image URIs (tags or digests) to images, keyed by `ref.uri`. Calls DescribeImages
   * once per repository and registry with up to 100 image ids; when ECR refuses a batch because
   * one id does not exist (ImageNotFoundException names it), that id gets the error and the batch
   * is asked again without it, so one missing image never hides the others. A missing repository
   * fails every URI in it with RepositoryNotFoundException.
   *
   * Images that are not in ECR (Docker Hub, `public.ecr.aws`, ...) or in another region than the
   * client's are not looked up and have no entry in the result: steady cannot pin them and must
   * leave them as written.
   */
  async resolveImages(refs: ImageRef[]): Promise<Map<string, ImageResolution>> {
    const region = await this.#client.config.region();
    const groups = new Map<string, EcrRef[]>();
    for (const ref of refs) {
      if (!ref.ecr || ref.ecr.region !== region) continue;
      const key = `${ref.ecr.registryId}/${ref.ecr.repository}`;
      groups.set(key, [...(groups.get(key) ?? []), ref as EcrRef]);
    }
    const result = new Map<string, ImageResolution>();
    await Promise.all([...groups.values()].map((group) => this.#resolveRepository(group, result)));
    return result;
  }

  async #resolveRepository(refs: EcrRef[], result: Map<string, ImageResolution>): Promise<void> {
    const { registryId, repository } = refs[0].ecr;
    const ids = uniqueIds(refs);
    for (let i = 0; i < ids.length; i += 100) {
      let pending = ids.slice(i, i + 100);
      while (pending.length > 0) {
        try {
          const out = await awsCall('ecr', 'DescribeImages', `describing ${pending.length} images in ECR repository ${repository} of registry ${registryId}`, () =>
            this.#client.send(new DescribeImagesCommand({ registryId, repositoryName: repository, imageIds: pending })),
          );
          for (const ref of refs.filter((r) => pending.some((id) => sameId(id, idOf(r))))) {
            const detail = (out.imageDetails ?? []).find((d) => matches(d, idOf(ref)));
            result.set(ref.uri, detail ? toImage(detail) : notFound(ref, 'ECR did not return it'));
          }
          pending = [];
        } catch (err) {
          if (!(err instanceof AwsCallError)) throw err;
          const missing = err.awsName === 'ImageNotFoundException' ? namedId(err.message) : undefined;
          const culprit = missing && pending.find((id) => sameId(id, missing));
          const fail = (failed: ImageIdentifier[]) => {
            for (const ref of refs.filter((r) => failed.some((id) => sameId(id, idOf(r))))) result.set(ref.uri, perUri(ref, err));
          };
          if (culprit) {
            fail([culprit]);
            pending = pending.filter((id) => id !== culprit);
          } else if (err.awsName === 'RepositoryNotFoundException') {
            fail(ids);
            return;
          } else {
            // Access, throttling beyond the SDK's retries, ...: this batch fails; the next batch is still tried.
            fail(pending);
            pending = [];
          }
        }
      }
    }
  }
}

/** The id ECS would pull by: the digest when the URI has one, else the tag. */
function idOf(ref: ImageRef): ImageIdentifier {
  return ref.digest ? { imageDigest: ref.digest } : { imageTag: ref.tag ?? 'latest' };
}

function uniqueIds(refs: ImageRef[]): ImageIdentifier[] {
  const ids: ImageIdentifier[] = [];
  for (const ref of refs) if (!ids.some((id) => sameId(id, idOf(ref)))) ids.push(idOf(ref));
  return ids;
}

function sameId(a: ImageIdentifier, b: ImageIdentifier): boolean {
  return (a.imageDigest ?? null) === (b.imageDigest ?? null) && (a.imageTag ?? null) === (b.imageTag ?? null);
}

function matches(d: ImageDetail, id: ImageIdentifier): boolean {
  return id.imageDigest ? d.imageDigest === id.imageDigest : (d.imageTags ?? []).includes(id.imageTag!);
}

/** The id an ImageNotFoundException names: `{imageDigest:'null', imageTag:'v9'}`. */
function namedId(message: string): ImageIdentifier | undefined {
  const m = /imageDigest:'([^']*)', imageTag:'([^']*)'/.exec(message);
  if (!m) return undefined;
  return m[1] !== 'null' ? { imageDigest: m[1], ...(m[2] !== 'null' ? { imageTag: m[2] } : {}) } : { imageTag: m[2] };
}

function toImage(d: ImageDetail): EcrImage {
  return {
    repository: d.repositoryName!,
    registryId: d.registryId!,
    digest: d.imageDigest!,
    tags: d.imageTags ?? [],
    ...(d.imagePushedAt ? { pushedAt: d.imagePushedAt.getTime() } : {}),
  };
}

/** The batch's error, re-told for one URI so a report line says which image it was. */
function perUri(ref: ImageRef, err: AwsCallError): AwsCallError {
  return new AwsCallError({ service: 'ecr', operation: 'DescribeImages', doing: `resolving image ${ref.uri}`, cause: err.cause });
}

function notFound(ref: ImageRef, why: string): AwsCallError {
  return new AwsCallError({
    service: 'ecr',
    operation: 'DescribeImages',
    doing: `resolving image ${ref.uri}`,
    cause: { name: 'ImageNotFoundException', message: why, $metadata: { httpStatusCode: 400 } },
  });
}
