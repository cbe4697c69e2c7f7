/**
 * Test helpers for the Lambda handler: a Lambda context, the events in `testdata/`, what the
 * handler writes to stdout and stderr, and a world of real local servers (DynamoDB, S3) with the
 * example specs published as a commit. Not a test file itself.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { publishSpecs } from '../source/index.js';
import type { SpecFile } from '../spec/load.js';
import { createStateTable } from '../state/table.js';
import { startS3, useEndpoint, type LocalServer } from '../testing/servers.js';
import { startStateTable, type LocalStateTable } from '../testing/state-table.js';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { HandlerConfig } from './config.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');

/** An event from `testdata/`, parsed afresh (tests may change it). */
export function eventJson(name: 'eventbridge-scheduled' | 's3-put-head'): Record<string, any> {
  return JSON.parse(readFileSync(path.join(HERE, 'testdata', `${name}.json`), 'utf8'));
}

/** The spec files of `specs/<folder>` and below, with the paths `steady apply specs/` records (relative to `specs/`). */
export function specFiles(folder: string): SpecFile[] {
  const dir = path.join(ROOT, 'specs', folder);
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((n) => n.endsWith('.yaml'))
    .map((n) => n.split(path.sep).join('/'))
    .sort()
    .map((name) => ({ path: `${folder}/${name}`, content: readFileSync(path.join(dir, name)) }));
}

/**
 * The shop example as it renders shop-prod alone: its base and its production overlay, without the
 * staging overlay. Most Lambda tests follow one environment.
 */
export function shopProdFiles(): SpecFile[] {
  return specFiles('shop').filter((f) => !f.path.startsWith('shop/staging/'));
}

/** The production overlay of the shop example, where its count, network and names are written. */
export const SHOP_PROD_OVERLAY = 'shop/prod/overlay.yaml';

/** A Lambda context with a fixed remaining time. */
export function lambdaContext(options: { remainingMs: number; requestId?: string }): Context {
  const requestId = options.requestId ?? 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef';
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'steady',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:ap-northeast-1:123456789012:function:steady',
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/steady',
    logStreamName: '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => options.remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** One line written to stdout or stderr; `json` when it parsed as a JSON object. */
export interface OutputLine {
  stream: 'stdout' | 'stderr';
  text: string;
  json?: Record<string, any>;
}

/**
 * Captures what is written to stdout and stderr (Powertools writes its JSON logs and EMF lines
 * there, as Lambda expects) until `stop()`, passing nothing through.
 */
export function captureOutput() {
  const lines: OutputLine[] = [];
  const originals = { stdout: process.stdout.write, stderr: process.stderr.write };
  const pending = { stdout: '', stderr: '' };
  for (const stream of ['stdout', 'stderr'] as const) {
    process[stream].write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      pending[stream] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      let nl: number;
      while ((nl = pending[stream].indexOf('\n')) >= 0) {
        const text = pending[stream].slice(0, nl);
        pending[stream] = pending[stream].slice(nl + 1);
        let json: Record<string, any> | undefined;
        try {
          const parsed = JSON.parse(text);
          if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed;
        } catch {
          // Not JSON: kept as text.
        }
        lines.push({ stream, text, ...(json ? { json } : {}) });
      }
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof process.stdout.write;
  }
  return {
    lines,
    /** JSON log lines (not EMF). */
    logs: () => lines.filter((l) => l.json && !l.json._aws).map((l) => l.json!),
    /** EMF lines. */
    emf: () => lines.filter((l) => l.json?._aws).map((l) => l.json!),
    stop() {
      process.stdout.write = originals.stdout;
      process.stderr.write = originals.stderr;
    },
  };
}

export const SPEC_BUCKET = 'steady-specs';
export const SPEC_PREFIX = 'shop-prod';

/**
 * The local servers the handler talks to besides the simulated account: a state table server
 * (dynalite) and an S3 server (s3rver) with the spec bucket, reached by default-configured clients
 * through `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL_S3`.
 */
export async function startHandlerWorld() {
  const tables: LocalStateTable = await startStateTable('steady-state-0');
  const s3server: LocalServer = await startS3();
  const restore = useEndpoint('S3', s3server.endpoint);
  const s3 = new S3Client({});
  await s3.send(new CreateBucketCommand({ Bucket: SPEC_BUCKET }));
  let n = 0;
  return {
    s3,
    s3Endpoint: s3server.endpoint,
    dynamoEndpoint: tables.server.endpoint,
    dynamodb: tables.client,
    /** A fresh, empty state table for one test, and the handler configuration that uses it. */
    async config(overrides: Partial<HandlerConfig> = {}): Promise<HandlerConfig> {
      const table = `steady-state-${++n}`;
      await createStateTable(tables.client, table);
      return { bucket: SPEC_BUCKET, prefix: `${SPEC_PREFIX}/`, table, leaseTtlMs: 300_000, marginMs: 30_000, concurrency: 4, notify: false, ...overrides };
    },
    /** Publishes `files` as the HEAD commit under the prefix; returns the commit id. */
    async publish(files: SpecFile[], prefix = SPEC_PREFIX): Promise<string> {
      return (await publishSpecs({ bucket: SPEC_BUCKET, prefix, files, s3 })).commit;
    },
    async close() {
      restore();
      s3.destroy();
      await s3server.close();
      await tables.close();
    },
  };
}

/**
 * The usual hooks of a handler test file: one world for the file, and each test's output
 * captured (which also keeps the handler's JSON logs and EMF lines out of the test report).
 *
 * @example
 * const h = useHandlerWorld();
 * it('...', async () => { const config = await h.world.config(); ...; expect(h.output.lines()).toEqual([]); });
 */
export function useHandlerWorld() {
  let world: Awaited<ReturnType<typeof startHandlerWorld>> | undefined;
  let output: ReturnType<typeof captureOutput> | undefined;
  beforeAll(async () => {
    world = await startHandlerWorld();
  });
  afterAll(() => world?.close());
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output?.stop());
  return {
    get world() {
      if (!world) throw new Error('the handler world is started in beforeAll');
      return world;
    },
    get output() {
      if (!output) throw new Error('output is captured in beforeEach');
      return output;
    },
  };
}
