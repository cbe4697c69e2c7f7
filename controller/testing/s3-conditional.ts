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
 */
import { randomUUID } from 'node:crypto';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
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

/** Starts the proxy in front of `upstream` (an s3rver from `startS3`). Closing it leaves s3rver running. */
export async function startConditionalS3(upstream: LocalServer): Promise<ConditionalS3> {
  const target = new URL(upstream.endpoint);
  // Its own connections, closed with the proxy, so that s3rver can close too.
  const agent = new Agent({ keepAlive: true });
  const head = new S3Client({ endpoint: upstream.endpoint, forcePathStyle: true, region: process.env.AWS_REGION ?? 'ap-northeast-1' });
  const locks = new Map<string, Promise<unknown>>();
  const recorded: RecordedPut[] = [];
  const races: Race[] = [];

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
