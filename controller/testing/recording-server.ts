import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server received. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the server answers a request with. */
export interface CannedResponse {
  status?: number;
  headers?: Record<string, string>;
  body: string;
}

/**
 * Test-only: an HTTP server on a free local port that records every request and answers with
 * `respond(request)`. Stands in for LocalStack, moto or a webhook receiver.
 *
 * @example
 * const server = await startRecordingServer(() => ({ body: '{}' }));
 * process.env.AWS_ENDPOINT_URL = server.url;
 * // ...
 * await server.close();
 */
export async function startRecordingServer(respond: (request: RecordedRequest) => CannedResponse) {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      const answer = respond(request);
      res.writeHead(answer.status ?? 200, answer.headers ?? {});
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
