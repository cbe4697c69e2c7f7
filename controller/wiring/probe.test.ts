import { afterEach, describe, expect, it } from 'vitest';
import { startHttpRecorder } from '../testing/servers.js';
import { runProbe } from './probe.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('runProbe', () => {
  it('records the status and latency of a GET, and does not follow redirects', async () => {
    const server = await startHttpRecorder();
    close = server.close;
    server.respond({ status: 301, headers: { location: '/login' } });

    const r = await runProbe({ url: `${server.endpoint}/health`, expectStatus: 200, timeoutSeconds: 5 });

    expect(r).toEqual({ url: `${server.endpoint}/health`, expectStatus: 200, status: 301, latencyMs: expect.any(Number), ok: false });
    expect(server.requests.map((q) => `${q.method} ${q.url}`)).toEqual(['GET /health']);
  });

  it('is ok when the status is the expected one', async () => {
    const server = await startHttpRecorder({ status: 204 });
    close = server.close;

    expect((await runProbe({ url: `${server.endpoint}/`, expectStatus: 204, timeoutSeconds: 5 })).ok).toBe(true);
  });

  it('says "connection refused" when nothing listens', async () => {
    const server = await startHttpRecorder();
    const url = `${server.endpoint}/health`;
    await server.close();

    const r = await runProbe({ url, expectStatus: 200, timeoutSeconds: 5 });

    expect(r).toEqual({ url, expectStatus: 200, latencyMs: expect.any(Number), error: 'connection refused', ok: false });
  });

  it('gives up after the timeout', async () => {
    // A fetch that only ends when its signal aborts, so the test waits no real 5 seconds.
    const hanging: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) => init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason)));

    const r = await runProbe({ url: 'https://api.example.com/health', expectStatus: 200, timeoutSeconds: 0.01 }, hanging);

    expect(r).toMatchObject({ error: 'no answer within 0.01 s', ok: false });
  });
});
