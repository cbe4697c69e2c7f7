import { createHash } from 'node:crypto';
import {
  ImageAlreadyExistsException,
  ImageDigestDoesNotMatchException,
  ImageNotFoundException,
  ImageTagAlreadyExistsException,
  InvalidParameterException,
  RepositoryAlreadyExistsException,
  RepositoryNotFoundException,
  type BatchGetImageCommandInput,
  type BatchGetImageCommandOutput,
  type CreateRepositoryCommandInput,
  type CreateRepositoryCommandOutput,
  type DescribeImagesCommandInput,
  type DescribeImagesCommandOutput,
  type DescribeRepositoriesCommandInput,
  type DescribeRepositoriesCommandOutput,
  type ImageDetail,
  type ImageIdentifier,
  type PutImageCommandInput,
  type PutImageCommandOutput,
  type Repository,
} from '@aws-sdk/client-ecr';
import { isDigest, parseImageUri } from '../model/image.js';
import type { SimAccount, SimService } from './account.js';
import { awsError } from './errors.js';
import { page } from './paging.js';

type Out<T> = Omit<T, '$metadata'>;

/** One image of a fixture repository, oldest first. Without `digest` one is made up. */
export interface EcrImageFixture {
  tags?: string[];
  digest?: string;
}

/**
 * Starting state of the simulated ECR: repositories by name, each with its images in push
 * order (so a tag listed twice ends on the later image, as after two pushes).
 *
 * @example
 * // YAML
 * ecr:
 *   repositories:
 *     shop-api:
 *       - tags: [v1]
 *       - tags: [latest, v2]
 *     worker: []
 */
export interface EcrFixture {
  repositories?: Record<string, EcrImageFixture[]>;
}

interface SimImage {
  digest: string;
  tags: string[];
  pushedAt: number;
  seq: number;
  sizeInBytes: number;
  manifest: string;
  mediaType: string;
}

interface SimRepository {
  name: string;
  createdAt: number;
  seq: number;
  mutability: 'MUTABLE' | 'IMMUTABLE';
  images: SimImage[];
}

const MANIFEST_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';
const REPOSITORY_NAME = /^(?=.{2,256}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/**
 * The simulated Amazon ECR of one account and region: repositories and images whose tags move
 * when an image is pushed under an existing tag. ECS resolves task images through `resolve`.
 */
export class EcrSim implements SimService {
  readonly operations: Record<string, (input: any) => unknown> = {
    CreateRepository: (input: CreateRepositoryCommandInput) => this.createRepository(input),
    DescribeRepositories: (input: DescribeRepositoriesCommandInput) => this.describeRepositories(input),
    DescribeImages: (input: DescribeImagesCommandInput) => this.describeImages(input),
    BatchGetImage: (input: BatchGetImageCommandInput) => this.batchGetImage(input),
    PutImage: (input: PutImageCommandInput) => this.putImage(input),
  };

  readonly #repositories = new Map<string, SimRepository>();
  #seq = 0;

  constructor(readonly account: SimAccount) {}

  /** Creates the fixture's repositories and pushes their images in order. */
  seed(fixture: EcrFixture): void {
    for (const [name, images] of Object.entries(fixture.repositories ?? {})) {
      this.#createRepository(name, 'MUTABLE');
      for (const image of images ?? []) {
        const digest = this.push(name, image.tags?.[0], image.digest);
        for (const tag of image.tags?.slice(1) ?? []) this.push(name, tag, digest);
      }
    }
  }

  // ------------------------------------------------------------------------------- scenario API

  /** The registry host of this account, e.g. `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com`. */
  get registry(): string {
    return `${this.account.accountId}.dkr.ecr.${this.account.region}.amazonaws.com`;
  }

  /** The image URI of `repository` with a tag, e.g. for a task definition in a test. */
  uri(repository: string, tag = 'latest'): string {
    return `${this.registry}/${repository}:${tag}`;
  }

  /**
   * "Pushes" an image: `tag` (if given) moves to the image with `digest` (a new random digest when
   * omitted). An image that loses its last tag stays, untagged, with its digest. The repository
   * must exist. Returns the digest.
   *
   * @example
   * const digest = account.ecr.push('shop-api', 'latest');
   */
  push(repository: string, tag?: string, digest?: string): string {
    const repo = this.#repositories.get(repository);
    if (!repo) throw new Error(`simulated ECR: no repository named ${repository}`);
    const d = digest ?? `sha256:${this.account.hex(64)}`;
    if (!isDigest(d)) throw new Error(`simulated ECR: not an image digest: ${d}`);
    this.#store(repo, d, tag, this.#fakeManifest(), MANIFEST_TYPE);
    return d;
  }

  /**
   * What an image URI resolves to in this registry: its digest, or undefined when the URI is not
   * an ECR URI of this account and region, or the repository, tag or digest does not exist.
   */
  resolve(uri: string): string | undefined {
    const ref = parseImageUri(uri);
    if (!ref.ecr || ref.ecr.registryId !== this.account.accountId || ref.ecr.region !== this.account.region) return undefined;
    const repo = this.#repositories.get(ref.ecr.repository);
    const image = repo && (ref.digest ? repo.images.find((i) => i.digest === ref.digest) : repo.images.find((i) => i.tags.includes(ref.tag!)));
    return image?.digest;
  }

  /** The tags and digests of a repository, oldest push first (for assertions). */
  images(repository: string): { digest: string; tags: string[] }[] {
    return (this.#repositories.get(repository)?.images ?? []).map((i) => ({ digest: i.digest, tags: [...i.tags] }));
  }

  // ------------------------------------------------------------------------------- operations

  createRepository(input: CreateRepositoryCommandInput): Out<CreateRepositoryCommandOutput> {
    this.#checkRegistry(input.registryId, input.repositoryName ?? '');
    const name = input.repositoryName ?? '';
    if (!REPOSITORY_NAME.test(name)) {
      throw awsError(
        InvalidParameterException,
        `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''`,
      );
    }
    if (this.#repositories.has(name)) {
      throw awsError(
        RepositoryAlreadyExistsException,
        `The repository with name '${name}' already exists in the registry with id '${this.account.accountId}'`,
      );
    }
    return { repository: this.#renderRepository(this.#createRepository(name, input.imageTagMutability === 'IMMUTABLE' ? 'IMMUTABLE' : 'MUTABLE')) };
  }

  describeRepositories(input: DescribeRepositoriesCommandInput): Out<DescribeRepositoriesCommandOutput> {
    this.#checkRegistry(input.registryId, input.repositoryNames?.[0] ?? '');
    if (input.repositoryNames?.length) {
      if (input.maxResults !== undefined || input.nextToken !== undefined) {
        throw awsError(InvalidParameterException, 'maxResults and nextToken cannot be used with repositoryNames');
      }
      const repos = input.repositoryNames.map((name) => this.#repository(name));
      return { repositories: repos.map((r) => this.#renderRepository(r)) };
    }
    const maxResults = this.#maxResults(input.maxResults, 1000, 100);
    const visible = [...this.#repositories.values()].filter((r) => this.account.visible('ecr', r.createdAt));
    const { items, next } = page(visible, { size: maxResults, token: input.nextToken || undefined, key: (r) => [r.seq] }, invalidNextToken);
    return { repositories: items.map((r) => this.#renderRepository(r)), ...(next ? { nextToken: next } : {}) };
  }

  /**
   * With `imageIds`, every id must exist: the first missing one fails the whole call with
   * ImageNotFoundException (whether AWS names the first or another missing id is unconfirmed).
   */
  describeImages(input: DescribeImagesCommandInput): Out<DescribeImagesCommandOutput> {
    const repo = this.#repository(input.repositoryName ?? '', input.registryId);
    const images = repo.images.filter((i) => this.account.visible('ecr', i.pushedAt));
    if (input.imageIds) {
      if (input.maxResults !== undefined || input.nextToken !== undefined) {
        throw awsError(InvalidParameterException, 'maxResults and nextToken cannot be used with imageIds');
      }
      this.#checkImageIdCount(input.imageIds);
      const found: SimImage[] = [];
      for (const id of input.imageIds) {
        const image = this.#findImage(images, id);
        if (!image) {
          throw awsError(
            ImageNotFoundException,
            `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${repo.name}' in the registry with id '${this.account.accountId}'`,
          );
        }
        if (!found.includes(image)) found.push(image);
      }
      return { imageDetails: found.map((i) => this.#renderDetail(repo, i)) };
    }
    const status = input.filter?.tagStatus ?? 'ANY';
    const filtered = images.filter((i) => status === 'ANY' || (status === 'TAGGED') === i.tags.length > 0);
    const maxResults = this.#maxResults(input.maxResults, 1000, 100);
    const { items, next } = page(filtered, { size: maxResults, token: input.nextToken || undefined, key: (i) => [i.seq] }, invalidNextToken);
    return { imageDetails: items.map((i) => this.#renderDetail(repo, i)), ...(next ? { nextToken: next } : {}) };
  }

  batchGetImage(input: BatchGetImageCommandInput): Out<BatchGetImageCommandOutput> {
    const repo = this.#repository(input.repositoryName ?? '', input.registryId);
    this.#checkImageIdCount(input.imageIds ?? []);
    const out: Out<BatchGetImageCommandOutput> = { images: [], failures: [] };
    for (const id of input.imageIds ?? []) {
      const image = this.#findImage(repo.images, id);
      if (!image) {
        out.failures!.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
        continue;
      }
      out.images!.push({
        registryId: this.account.accountId,
        repositoryName: repo.name,
        imageId: { imageDigest: image.digest, ...(id.imageTag ? { imageTag: id.imageTag } : {}) },
        imageManifest: image.manifest,
        imageManifestMediaType: image.mediaType,
      });
    }
    return out;
  }

  putImage(input: PutImageCommandInput): Out<PutImageCommandOutput> {
    const repo = this.#repository(input.repositoryName ?? '', input.registryId);
    const manifest = input.imageManifest ?? '';
    const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
    if (input.imageDigest && input.imageDigest !== digest) {
      throw awsError(ImageDigestDoesNotMatchException, `The supplied image digest ${input.imageDigest} does not match the digest of the manifest ${digest}`);
    }
    const tag = input.imageTag;
    const existing = repo.images.find((i) => i.digest === digest);
    if (tag && existing?.tags.includes(tag)) {
      throw awsError(
        ImageAlreadyExistsException,
        `Image with digest '${digest}' and tag '${tag}' already exists in the repository with name '${repo.name}' in the registry with id '${this.account.accountId}'`,
      );
    }
    if (tag && repo.mutability === 'IMMUTABLE' && repo.images.some((i) => i.tags.includes(tag))) {
      throw awsError(
        ImageTagAlreadyExistsException,
        `The image tag '${tag}' already exists in the '${repo.name}' repository and cannot be overwritten because the repository is immutable.`,
      );
    }
    const mediaType = input.imageManifestMediaType ?? MANIFEST_TYPE;
    this.#store(repo, digest, tag, manifest, mediaType);
    return {
      image: {
        registryId: this.account.accountId,
        repositoryName: repo.name,
        imageId: { imageDigest: digest, ...(tag ? { imageTag: tag } : {}) },
        imageManifest: manifest,
        imageManifestMediaType: mediaType,
      },
    };
  }

  // ------------------------------------------------------------------------------- internals

  #createRepository(name: string, mutability: SimRepository['mutability']): SimRepository {
    const repo: SimRepository = { name, createdAt: this.account.clock.now(), seq: ++this.#seq, mutability, images: [] };
    this.#repositories.set(name, repo);
    return repo;
  }

  #store(repo: SimRepository, digest: string, tag: string | undefined, manifest: string, mediaType: string): void {
    if (tag) for (const other of repo.images) other.tags = other.tags.filter((t) => t !== tag);
    let image = repo.images.find((i) => i.digest === digest);
    if (!image) {
      image = {
        digest,
        tags: [],
        pushedAt: this.account.clock.now(),
        seq: ++this.#seq,
        sizeInBytes: 20_000_000 + Math.floor(this.account.random() * 180_000_000),
        manifest,
        mediaType,
      };
      repo.images.push(image);
    }
    if (tag) image.tags.push(tag);
  }

  #fakeManifest(): string {
    return JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST_TYPE,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 7023, digest: `sha256:${this.account.hex(64)}` },
      layers: [],
    });
  }

  #findImage(images: SimImage[], id: ImageIdentifier): SimImage | undefined {
    if (!id.imageDigest && !id.imageTag) return undefined;
    return images.find((i) => (!id.imageDigest || i.digest === id.imageDigest) && (!id.imageTag || i.tags.includes(id.imageTag)));
  }

  #checkRegistry(registryId: string | undefined, repositoryName: string): void {
    if (registryId && registryId !== this.account.accountId) {
      throw awsError(RepositoryNotFoundException, `The repository with name '${repositoryName}' does not exist in the registry with id '${registryId}'`);
    }
  }

  #repository(name: string, registryId?: string): SimRepository {
    this.#checkRegistry(registryId, name);
    const repo = this.#repositories.get(name);
    if (!repo || !this.account.visible('ecr', repo.createdAt)) {
      throw awsError(RepositoryNotFoundException, `The repository with name '${name}' does not exist in the registry with id '${this.account.accountId}'`);
    }
    return repo;
  }

  #checkImageIdCount(ids: ImageIdentifier[]): void {
    if (ids.length < 1 || ids.length > 100) {
      throw awsError(InvalidParameterException, `Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length between 1 and 100'`);
    }
  }

  #maxResults(value: number | undefined, max: number, fallback: number): number {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw awsError(InvalidParameterException, `Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value between 1 and ${max}'`);
    }
    return value;
  }

  #renderRepository(repo: SimRepository): Repository {
    return {
      repositoryArn: `arn:aws:ecr:${this.account.region}:${this.account.accountId}:repository/${repo.name}`,
      registryId: this.account.accountId,
      repositoryName: repo.name,
      repositoryUri: `${this.registry}/${repo.name}`,
      createdAt: new Date(repo.createdAt),
      imageTagMutability: repo.mutability,
      imageScanningConfiguration: { scanOnPush: false },
      encryptionConfiguration: { encryptionType: 'AES256' },
    };
  }

  #renderDetail(repo: SimRepository, image: SimImage): ImageDetail {
    return {
      registryId: this.account.accountId,
      repositoryName: repo.name,
      imageDigest: image.digest,
      ...(image.tags.length ? { imageTags: [...image.tags] } : {}),
      imageSizeInBytes: image.sizeInBytes,
      imagePushedAt: new Date(image.pushedAt),
      imageManifestMediaType: image.mediaType,
      artifactMediaType: 'application/vnd.docker.container.image.v1+json',
    };
  }
}

const invalidNextToken = (): Error => awsError(InvalidParameterException, 'Invalid parameter at nextToken');
