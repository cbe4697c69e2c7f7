/**
 * A gate in front of a local server (the DynamoDB server, for racing real `steady` processes): it
 * forwards every request, except that while it is closed, requests matching a predicate are held
 * until it opens. A test can so keep a lease holder inside its pass (its release, its migration
 * claim) for as long as it needs, without sleeping: it waits on `pending()` instead.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the gate saw it. */
export interface GatedRequest {
  /** `X-Amz-Target`, e.g. `DynamoDB_20120810.UpdateItem`. */
  target: string;
  body: string;
}

export interface Gate {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** Holds matching requests from now on. */
  close(hold: (request: GatedRequest) => boolean): void;
  /** Lets every held request through, and holds nothing more. */
  open(): void;
  /** Requests being held now (a client that went away, e.g. killed, is dropped). */
  held(): number;
  /** Resolves once `n` requests are held, or `done()` says there is nothing more to wait for. */
  waitFor(n: number, done?: () => boolean): Promise<void>;
  /** Asks the waiters again (call it when what `done()` reads has changed, e.g. a process exited). */
  recheck(): void;
  stop(): Promise<void>;
}

/**
 * @example
 * const gate = await startGate(dynamo.endpoint);
 * gate.close((r) => r.body.includes('releasedAt = :now')); // hold every lease release
 */
export async function startGate(upstream: string): Promise<Gate> {
  let hold: ((r: GatedRequest) => boolean) | undefined;
  const waiting = new Set<() => void>();
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((l) => l());

  const forward = async (method: string, url: string, headers: IncomingHttpHeaders, body: Buffer) => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) if (typeof v === 'string' && k !== 'host' && k !== 'connection' && k !== 'content-length') out[k] = v;
    return fetch(`${upstream}${url}`, { method, headers: out, body: method === 'GET' || method === 'HEAD' ? undefined : body });
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const request = { target: String(req.headers['x-amz-target'] ?? ''), body: body.toString('utf8') };
      if (hold?.(request)) {
        let release: () => void = () => undefined;
        const released = new Promise<void>((resolve) => (release = resolve));
        waiting.add(release);
        const gone = () => {
          waiting.delete(release);
          changed();
        };
        res.on('close', gone);
        changed();
        await released;
        res.off('close', gone);
        if (res.destroyed) return;
      }
      try {
        const answer = await forward(req.method ?? 'POST', req.url ?? '/', req.headers, body);
        const headers: Record<string, string> = {};
        answer.headers.forEach((v, k) => {
          if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection') headers[k] = v;
        });
        res.writeHead(answer.status, headers);
        res.end(Buffer.from(await answer.arrayBuffer()));
      } catch {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    close: (predicate) => {
      hold = predicate;
    },
    open: () => {
      hold = undefined;
      for (const release of [...waiting]) {
        waiting.delete(release);
        release();
      }
      changed();
    },
    held: () => waiting.size,
    recheck: changed,
    waitFor: (n, done = () => false) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (waiting.size >= n || done()) {
            listeners.delete(check);
            resolve();
          }
        };
        listeners.add(check);
        check();
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        hold = undefined;
        for (const release of waiting) release();
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
