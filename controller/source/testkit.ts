/**
 * Test helpers for the S3 source: a local S3 server (s3rver) reached by default-configured SDK
 * clients through AWS_ENDPOINT_URL_S3, fresh buckets, the bucket's exact contents, the fixture
 * spec sets, and fault injection on a real client. Not a test file itself.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import type { Clock } from '../clock.js';
import { commitIdOf, sha256 } from './commit.js';
import type { SpecFile } from '../spec/load.js';
import { startConditionalS3 } from '../testing/s3-conditional.js';
import { startS3, useEndpoint } from '../testing/servers.js';

/** The fixture sets' folder, relative to the working directory (the repository's root). */
export const TESTDATA = path.relative(process.cwd(), fileURLToPath(new URL('./testdata/', import.meta.url))).split(path.sep).join('/');

/** The files of `testdata/<version>/`, with the paths `steady apply testdata/<version>` records for them. */
export function fixture(version: 'v1' | 'v2'): SpecFile[] {
  const dir = `${TESTDATA}/${version}`;
  return readdirSync(dir)
    .sort()
    .map((name) => ({ path: name, content: readFileSync(path.join(dir, name)) }));
}

/**
 * An S3 server for one test file; `bucket()` makes a fresh, empty bucket for each test. Clients
 * reach s3rver through the conditional-write proxy, so `If-None-Match: *` is honoured as S3 does
 * (`proxy` records the PUTs and can make writers race).
 */
export async function startSpecStore() {
  const server = await startS3();
  const proxy = await startConditionalS3(server);
  const restore = useEndpoint('S3', proxy.endpoint);
  const s3 = new S3Client({});
  let n = 0;
  return {
    s3,
    proxy,
    async bucket(): Promise<string> {
      const name = `specs-${++n}`;
      await s3.send(new CreateBucketCommand({ Bucket: name }));
      return name;
    },
    async close() {
      restore();
      s3.destroy();
      await proxy.close();
      await server.close();
    },
  };
}

export type SpecStore = Awaited<ReturnType<typeof startSpecStore>>;

/** A spec store for the whole test file: started before its first test, closed after its last. */
export function useSpecStore(): SpecStore {
  const store = {} as SpecStore;
  beforeAll(async () => {
    Object.assign(store, await startSpecStore());
  });
  afterAll(() => store.close());
  return store;
}

/** The commit id steady computes for a set of files. */
export const commitOf = (files: SpecFile[]): string => commitIdOf(files.map((f) => ({ path: f.path, sha256: sha256(f.content) })));

/** Every object in the bucket: key -> body as text. */
export async function contents(s3: S3Client, bucket: string): Promise<Record<string, string>> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  const out: Record<string, string> = {};
  for (const o of listed.Contents ?? []) {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }));
    out[o.Key!] = await got.Body!.transformToString();
  }
  return out;
}

/** The keys in the bucket, sorted. */
export async function keysIn(s3: S3Client, bucket: string): Promise<string[]> {
  return Object.keys(await contents(s3, bucket)).sort();
}

export async function putText(s3: S3Client, bucket: string, key: string, body: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

export async function getText(s3: S3Client, bucket: string, key: string): Promise<string> {
  return (await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString());
}

export async function deleteKey(s3: S3Client, bucket: string, key: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}

/** A clock at a fixed time that moves only when told to. */
export function fixedClock(iso: string): Clock & { set(iso: string): void } {
  let now = Date.parse(iso);
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    set: (next) => {
      now = Date.parse(next);
    },
  };
}

/** What a request through {@link instrumented} was: the command and its input. */
export interface SentCommand {
  command: string;
  input: Record<string, any>;
}

/**
 * A real S3 client talking to the real (local) server, with a middleware that sees every command
 * before it is sent. `before` may throw (fault injection: the SDK's own error for that call, as
 * if its retries were spent) or do anything else first; `after` runs once the call succeeded.
 * Every command is recorded in `sent`.
 */
export function instrumented(hooks: { before?: (c: SentCommand) => Promise<void> | void; after?: (c: SentCommand) => Promise<void> | void } = {}) {
  const s3 = new S3Client({});
  const sent: SentCommand[] = [];
  s3.middlewareStack.add(
    (next: any, context: any) => async (args: any) => {
      const call = { command: String(context.commandName).replace(/Command$/, ''), input: args.input };
      sent.push(call);
      await hooks.before?.(call);
      const result = await next(args);
      await hooks.after?.(call);
      return result;
    },
    // initialize: before the retry middleware, so an injected error is final, not retried.
    { step: 'initialize', name: 'steadyTestHook' },
  );
  return { s3, sent, puts: () => sent.filter((c) => c.command === 'PutObject').map((c) => c.input.Key as string) };
}

/** The error the SDK throws for a 403 from S3. */
export function accessDenied(): S3ServiceException {
  return new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Access Denied' });
}

/** The error the SDK throws when S3 asks to slow down (503 SlowDown), once its retries are spent. */
export function slowDown(): S3ServiceException {
  return new S3ServiceException({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 }, message: 'Please reduce your request rate.' });
}
