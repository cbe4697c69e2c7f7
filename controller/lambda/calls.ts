/**
 * API calls counted per pass while several passes share one set of SDK clients. The handler keeps
 * one set of clients per region for the life of the container (the ECS adapter's task-definition
 * cache lives with it), and reconciles environments concurrently; a counter on the clients alone
 * (`countCalls`) would mix the passes' counts and be reset by each pass's start. Each pass runs
 * in its own async context instead, and the middleware counts into the context's tally.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AwsClients } from '../aws/clients.js';

/** What `runPass` takes as `calls`. */
export interface CallCounter {
  counts(): Record<string, number>;
  reset(): void;
}

/** Runs `fn` with a counter of its own; calls made on the clients inside it count there. */
export type CountedScope = <T>(fn: (calls: CallCounter) => Promise<T>) => Promise<T>;

/**
 * Adds the counting middleware to every client of `clients` and returns the way to open a scope.
 * Calls are named `service:Operation` with the service as `AwsClients` names it (`ecs`, `elbv2`,
 * ...), which does not depend on class names (a minified bundle may rename classes).
 *
 * @example
 * const scope = perPassCallCounts(clients);
 * const { result } = await scope((calls) => reconcileEnvironment(desired, { adapters, calls, ... }));
 */
export function perPassCallCounts(clients: AwsClients): CountedScope {
  const storage = new AsyncLocalStorage<{ counts: Record<string, number> }>();
  for (const [service, client] of Object.entries(clients)) {
    (client as { middlewareStack: { add(mw: unknown, options: unknown): void } }).middlewareStack.add(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        const tally = storage.getStore();
        if (tally) {
          const key = `${service}:${String(context.commandName).replace(/Command$/, '')}`;
          tally.counts[key] = (tally.counts[key] ?? 0) + 1;
        }
        return next(args);
      },
      // initialize: once per command, however many attempts its retries take.
      { step: 'initialize', name: 'steadyPassCallCounter', override: true },
    );
  }
  return (fn) => {
    const tally = { counts: {} as Record<string, number> };
    const counter: CallCounter = {
      counts: () => ({ ...tally.counts }),
      reset: () => {
        tally.counts = {};
      },
    };
    return storage.run(tally, () => fn(counter));
  };
}
