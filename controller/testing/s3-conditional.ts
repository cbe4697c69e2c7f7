/**
 * Conditional writes in front of s3rver. s3rver ignores `If-None-Match: *` on PutObject; S3 does
 * not: a PUT with it onto a key that exists is refused with HTTP 412 `PreconditionFailed`, and of
 * two such PUTs racing for one key exactly one is written. This proxy forwards every request to
 * s3rver unchanged (the client's signature stays valid: the Host header is passed on), except that
 * a PUT carrying `If-None-Match: *` is checked and written under a lock on its key, and refused
 * as S3 refuses it when the key is there.
 *
 * It also records every PUT (key, the condition, the status, the body) and can hold conditional
 * writes of a key until several have arrived (`race`), so that a test makes two writers meet at
 * the same key for certain, without sleeping.
 *
 * And it pages ListObjectsV2 (without a delimiter) as S3 does: s3rver fails any truncated V2
 * listing, because its continuation tokens use DES, which Node's OpenSSL 3 lacks. The proxy reads
 * the page from s3rver as a V1 listing (marker-based, no token) and answers in V2's shape, with an
 * opaque continuation token of its own. S3 may answer with fewer keys than a page may hold;
 * `pageSize` makes the proxy do so, so that a test pages through a few keys instead of 1,001.
 */
import { randomUUID } from 'node:crypto';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeadObjectCommand, ListObjectsCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { escapeHtml as xml } from '../status-page/html.js';
import type { LocalServer } from './servers.js';

/** One PUT as the proxy answered it. */
export interface RecordedPut {
  bucket: string;
  key: string;
  /** The request carried `If-None-Match: *`. */
  ifNoneMatch: boolean;
  /** The HTTP status the client got. */
  status: number;
  body: string;
}

export interface ConditionalS3 extends LocalServer {
  /** Every PUT of an object so far, in the order they were answered. */
  puts(): RecordedPut[];
  /**
   * Holds the next `writers` conditional writes of `key` until all of them have arrived, then
   * lets them through one after another in the order they came (the first is written, the others
   * meet the key it wrote). Resolves when they have all been answered.
   */
  race(key: string, writers: number): Promise<void>;
  /** At most `keys` keys a ListObjectsV2 page from now on (S3 may answer with fewer than MaxKeys); `undefined`: S3's 1,000. */
  pageSize(keys: number | undefined): void;
}

interface Race {
  key: string;
  writers: number;
  arrived: (() => void)[];
  answered: number;
  done: () => void;
}

/** S3's answer to a refused condition (the shape `PutObject` returns, with a request id). */
function preconditionFailed(res: ServerResponse, resource: string): void {
  const requestId = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition><Resource>${resource}</Resource><RequestId>${requestId}</RequestId><HostId>${requestId}</HostId></Error>`;
  res.writeHead(412, { 'content-type': 'application/xml', 'x-amz-request-id': requestId, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Forwards one request (its body already read) to s3rver; resolves with the status sent back. */
function forward(upstream: URL, agent: Agent, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<number> {
  return new Promise((resolve, reject) => {
    // `expect` is never signed; the proxy has read the body already, so s3rver must not wait for it.
    const { expect: _expect, connection: _connection, ...headers } = req.headers;
    const out = httpRequest({ agent, host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
      up.on('end', () => resolve(up.statusCode ?? 502));
    });
    out.on('error', reject);
    out.end(body);
  });
}

/** A path-style object URL `/bucket/key?query`: the bucket and key, or nothing for bucket or service requests. */
function objectOf(url: string): { bucket: string; key: string; query: string } | undefined {
  const [pathname, query = ''] = url.split('?', 2);
  const match = /^\/([^/]+)\/(.+)$/.exec(pathname);
  return match ? { bucket: decodeURIComponent(match[1]), key: decodeURIComponent(match[2]), query } : undefined;
}

/** A ListObjectsV2 request of a bucket without a delimiter (the only kind steady sends): what the proxy pages itself. */
function listingOf(method: string | undefined, url: string): { bucket: string; params: URLSearchParams } | undefined {
  const [pathname, query = ''] = url.split('?', 2);
  const match = /^\/([^/]+)\/?$/.exec(pathname);
  const params = new URLSearchParams(query);
  if (method !== 'GET' || !match || params.get('list-type') !== '2' || params.has('delimiter')) return undefined;
  return { bucket: decodeURIComponent(match[1]), params };
}

/** The proxy's continuation token: opaque to the client, as S3's are; it holds the last key listed. */
const tokenOf = (key: string) => Buffer.from(`after:${key}`, 'utf8').toString('base64url');
const keyOfToken = (token: string) => /^after:(.*)$/s.exec(Buffer.from(token, 'base64url').toString('utf8'))?.[1];

/** S3's error document. */
function s3Error(res: ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xml(code)}</Code><Message>${xml(message)}</Message></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Answers one ListObjectsV2 page from s3rver's V1 listing. */
async function listPage(direct: S3Client, listing: { bucket: string; params: URLSearchParams }, res: ServerResponse, pageSize: number): Promise<void> {
  const { bucket, params } = listing;
  const token = params.get('continuation-token') ?? undefined;
  const after = token === undefined ? (params.get('start-after') ?? undefined) : keyOfToken(token);
  if (token !== undefined && after === undefined) return s3Error(res, 400, 'InvalidArgument', 'The continuation token provided is incorrect');
  const maxKeys = Math.min(1000, Number(params.get('max-keys') ?? 1000));
  const keys = Math.min(maxKeys, pageSize);
  const prefix = params.get('prefix') ?? '';
  let page;
  try {
    page = await direct.send(new ListObjectsCommand({ Bucket: bucket, Prefix: prefix, Marker: after, MaxKeys: keys }));
  } catch (err) {
    if (!(err instanceof S3ServiceException)) throw err;
    return s3Error(res, err.$metadata.httpStatusCode ?? 500, err.name, err.message);
  }
  const contents = page.Contents ?? [];
  const last = contents.at(-1)?.Key;
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    `<Name>${xml(bucket)}</Name><Prefix>${xml(prefix)}</Prefix>` +
    (token !== undefined ? `<ContinuationToken>${xml(token)}</ContinuationToken>` : after !== undefined ? `<StartAfter>${xml(after)}</StartAfter>` : '') +
    `<KeyCount>${contents.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${page.IsTruncated === true}</IsTruncated>` +
    (page.IsTruncated && last !== undefined ? `<NextContinuationToken>${tokenOf(last)}</NextContinuationToken>` : '') +
    contents
      .map((o) => `<Contents><Key>${xml(o.Key!)}</Key><LastModified>${o.LastModified!.toISOString()}</LastModified><ETag>${xml(o.ETag ?? '')}</ETag><Size>${o.Size ?? 0}</Size><StorageClass>${o.StorageClass ?? 'STANDARD'}</StorageClass></Contents>`)
      .join('') +
    '</ListBucketResult>';
  res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Starts the proxy in front of `upstream` (an s3rver from `startS3`). Closing it leaves s3rver running. */
export async function startConditionalS3(upstream: LocalServer): Promise<ConditionalS3> {
  const target = new URL(upstream.endpoint);
  // Its own connections, closed with the proxy, so that s3rver can close too.
  const agent = new Agent({ keepAlive: true });
  const head = new S3Client({ endpoint: upstream.endpoint, forcePathStyle: true, region: process.env.AWS_REGION ?? 'ap-northeast-1' });
  const locks = new Map<string, Promise<unknown>>();
  const recorded: RecordedPut[] = [];
  const races: Race[] = [];
  let pageSize = 1000;

  const exists = async (bucket: string, key: string): Promise<boolean> => {
    try {
      await head.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch (err) {
      if ((err as { name?: string }).name === 'NotFound') return false;
      throw err;
    }
  };

  /** Runs `work` once every earlier conditional write of the same key has been answered. */
  const underLock = <T>(lockKey: string, work: () => Promise<T>): Promise<T> => {
    const previous = locks.get(lockKey) ?? Promise.resolve();
    const next = previous.then(work, work);
    locks.set(lockKey, next.catch(() => undefined));
    return next;
  };

  /** Waits for the rest of a race on this key to arrive; releases in arrival order. */
  const arrive = async (key: string): Promise<Race | undefined> => {
    const race = races.find((r) => r.key === key && r.arrived.length < r.writers);
    if (!race) return undefined;
    await new Promise<void>((resolve) => {
      race.arrived.push(resolve);
      if (race.arrived.length === race.writers) race.arrived.forEach((release) => release());
    });
    return race;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const listing = listingOf(req.method, req.url ?? '/');
    if (listing) return listPage(head, listing, res, pageSize);
    const object = req.method === 'PUT' ? objectOf(req.url ?? '/') : undefined;
    // Only PutObject (and CopyObject) writes an object; uploads' parts, tagging and ACLs do not.
    if (!object || /(^|&)(partNumber|uploadId|tagging|acl)(=|&|$)/.test(object.query)) {
      await forward(target, agent, req, body, res);
      return;
    }
    const ifNoneMatch = req.headers['if-none-match'] === '*';
    const record = (status: number) => recorded.push({ bucket: object.bucket, key: object.key, ifNoneMatch, status, body: body.toString('utf8') });
    if (!ifNoneMatch) {
      record(await forward(target, agent, req, body, res));
      return;
    }
    const race = await arrive(object.key);
    await underLock(`${object.bucket}/${object.key}`, async () => {
      if (await exists(object.bucket, object.key)) {
        preconditionFailed(res, `/${object.bucket}/${object.key}`);
        record(412);
      } else {
        record(await forward(target, agent, req, body, res));
      }
    });
    if (race && ++race.answered === race.writers) race.done();
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`conditional S3 proxy: ${err.message}`);
    });
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });

  return {
    endpoint,
    puts: () => [...recorded],
    pageSize(keys) {
      pageSize = keys ?? 1000;
    },
    race(key, writers) {
      return new Promise<void>((done) => races.push({ key, writers, arrived: [], answered: 0, done }));
    },
    close: () =>
      new Promise<void>((resolve) => {
        head.destroy();
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
