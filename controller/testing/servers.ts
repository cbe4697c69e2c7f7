/**
 * Real local servers for tests, each on a free port: a DynamoDB-protocol server (dynalite), an
 * S3-protocol server (s3rver), an SES v2 emulator (aws-ses-v2-local) and a recording HTTP server
 * (Slack webhooks, probes, endpoint checks). Tests talk to them with the production clients,
 * pointed there by the standard `AWS_ENDPOINT_URL_<SERVICE>` variables (see `useEndpoint`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dynalite from 'dynalite';
import S3rver from 's3rver';

export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  close(): Promise<void>;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

/** dynalite, in memory, with tables ACTIVE at once. */
export async function startDynamoDb(): Promise<LocalServer> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const endpoint = await listen(server);
  return { endpoint, close: () => closeServer(server) };
}

/** s3rver on a temporary directory (removed on close). Path-style access works on an IP endpoint. */
export async function startS3(): Promise<LocalServer> {
  // s3rver checks signatures against its own key registry: register the credentials the tests'
  // default credential chain signs with, so requests stay signed and verified.
  const { DUMMY_ACCOUNT } = (await import('s3rver/lib/models/account.js' as string)) as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } };
  DUMMY_ACCOUNT.createKeyPair(process.env.AWS_ACCESS_KEY_ID ?? 'S3RVER', process.env.AWS_SECRET_ACCESS_KEY ?? 'S3RVER');
  const directory = mkdtempSync(join(tmpdir(), 'steady-s3-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory });
  const info = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${info.port}`,
    close: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** An email captured by the SES v2 emulator. */
export interface CapturedEmail {
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

/** aws-ses-v2-local; `emails()` reads what it captured through its own `/store` API. */
export async function startSes(): Promise<LocalServer & { emails(): Promise<CapturedEmail[]>; clear(): Promise<void> }> {
  const mod = (await import('aws-ses-v2-local')) as any;
  const start = (mod.default?.default ?? mod.default ?? mod) as (c: { host: string; port: number }) => Promise<Server>;
  const server = await start({ host: '127.0.0.1', port: 0 });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    close: () => closeServer(server),
    emails: async () => ((await (await fetch(`${endpoint}/store`)).json()) as { emails: CapturedEmail[] }).emails,
    clear: async () => {
      await fetch(`${endpoint}/clear-store`, { method: 'POST' });
    },
  };
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * An HTTP server that records every request and answers from a script: `respond` queues answers
 * used in order; when the queue is empty it answers `fallback` (200 "ok" by default).
 */
export async function startHttpRecorder(fallback: ScriptedResponse = { status: 200, body: 'ok' }) {
  const requests: RecordedRequest[] = [];
  const queue: ScriptedResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = queue.shift() ?? fallback;
      res.writeHead(answer.status, answer.headers ?? { 'content-type': 'text/plain' });
      res.end(answer.body ?? '');
    });
  });
  const endpoint = await listen(server);
  return {
    endpoint,
    requests,
    respond(...answers: ScriptedResponse[]) {
      queue.push(...answers);
    },
    close: () => closeServer(server),
  };
}

/**
 * Points the SDK's standard endpoint resolution for one service at a local server, e.g.
 * `useEndpoint('DYNAMODB', db.endpoint)` sets `AWS_ENDPOINT_URL_DYNAMODB`. Returns a function that
 * restores the previous value. Clients created afterwards with their default configuration use it.
 */
export function useEndpoint(service: string, endpoint: string): () => void {
  const name = `AWS_ENDPOINT_URL_${service.toUpperCase()}`;
  const previous = process.env[name];
  process.env[name] = endpoint;
  return () => {
    if (previous === undefined) delete process.env[name];
    else process.env[name] = previous;
  };
}
