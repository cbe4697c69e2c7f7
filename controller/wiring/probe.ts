/**
 * The optional HTTP probe of a service: one GET from outside, its status and latency. Redirects
 * are not followed (a 301 to a login page is not a working health endpoint unless the spec says
 * `expectStatus: 301`).
 */
import type { ProbeSpec } from '../spec/schema.js';
import type { ProbeResult } from './types.js';

/**
 * Requests `probe.url` once, giving up after `probe.timeoutSeconds`. Never throws: a failure is in
 * the result.
 *
 * @example
 * const r = await runProbe({ url: 'https://api.example.com/health', expectStatus: 200, timeoutSeconds: 5 });
 * if (!r.ok) console.log(r.error ?? `answered ${r.status}`);
 */
export async function runProbe(probe: ProbeSpec, fetchImpl: typeof fetch = fetch): Promise<ProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const base = { url: probe.url, expectStatus: probe.expectStatus };
  try {
    const res = await fetchImpl(probe.url, {
      method: 'GET',
      redirect: 'manual',
      headers: { 'user-agent': 'steady-wiring-probe' },
      signal: AbortSignal.timeout(probe.timeoutSeconds * 1000),
    });
    const latencyMs = elapsed();
    // Release the connection; the body itself is not judged.
    await res.body?.cancel().catch(() => undefined);
    return { ...base, status: res.status, latencyMs, ok: res.status === probe.expectStatus };
  } catch (err) {
    return { ...base, latencyMs: elapsed(), error: describeFetchError(err, probe.timeoutSeconds), ok: false };
  }
}

/** `connection refused`, `no answer within 5 s`, `DNS name not found`, or the error's own message. */
function describeFetchError(err: unknown, timeoutSeconds: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${timeoutSeconds} s`;
  switch (e?.cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
      return 'DNS name not found';
    case 'ECONNRESET':
      return 'connection reset';
    case 'CERT_HAS_EXPIRED':
      return 'TLS certificate has expired';
    default:
      return e?.cause?.message ?? e?.message ?? String(err);
  }
}
