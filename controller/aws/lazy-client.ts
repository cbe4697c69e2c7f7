/**
 * An SDK client made when its first command is sent, for a service steady seldom calls: its
 * package is imported then (`import()`), so the Lambda's cold start neither loads nor parses it
 * (the bundle puts it in a chunk of its own). CloudFront's client is ~150 KB for one GetDistribution
 * per CloudFront alias and the maintenance switch; most environments never call it.
 *
 * Everything steady and its tests do to a client before using it goes through `middlewareStack.add`
 * (pacing, call counters, the simulated account, latency) or `whenMade` (X-Ray tracing): both are
 * kept in order and applied to the client when it is made, and directly afterwards, so the client
 * ends up exactly as if it had been made at once.
 */
import type { MiddlewareStack } from '@smithy/types';

type Stack = Pick<MiddlewareStack<any, any>, 'add'>;

/** What a made client must have: a middleware stack and `send`. */
export interface SdkClient {
  middlewareStack: Stack;
  send(command: any, options?: any): Promise<any>;
}

/**
 * @example
 * const cloudfront = new LazyClient('cloudfront', async () => new (await import('@aws-sdk/client-cloudfront')).CloudFrontClient({ region: 'us-east-1' }));
 * const { GetDistributionCommand } = await import('@aws-sdk/client-cloudfront');
 * await cloudfront.send(new GetDistributionCommand({ Id: 'E2QWRUHAPOMQZL' }));
 */
export class LazyClient<C extends SdkClient> {
  #made?: C;
  #making?: Promise<C>;
  /** What was done to the client before it was made, in order. */
  readonly #pending: ((client: C) => void)[] = [];

  /** Middleware added now is added to the client when it is made (at once once it is). */
  readonly middlewareStack: Stack = {
    add: ((middleware: any, options?: any) => this.whenMade((c) => c.middlewareStack.add(middleware, options))) as Stack['add'],
  };

  /**
   * @param service steady's name of the service (`AwsClients`' key), which the class name of a
   *   made-at-once client gives (`SERVICE_OF_CLIENT`).
   * @param make imports the client's package and makes the client.
   */
  constructor(
    readonly service: string,
    private readonly make: () => Promise<C>,
  ) {}

  /** Runs `fn` on the client when it is made, or now if it has been. */
  whenMade(fn: (client: C) => void): void {
    if (this.#made) fn(this.#made);
    else this.#pending.push(fn);
  }

  /** The client, made (and its package imported) on the first call; tried again on the next call if that failed. */
  client(): Promise<C> {
    return (this.#making ??= this.make().then(
      (client) => {
        for (const fn of this.#pending.splice(0)) fn(client);
        this.#made = client;
        return client;
      },
      (err: unknown) => {
        this.#making = undefined;
        throw err;
      },
    ));
  }

  /** Sends a command of the client's package through the client, made first if need be (the promise form of the client's `send`). */
  readonly send = ((command: unknown, options?: unknown) => this.client().then((c) => c.send(command, options))) as unknown as C['send'];

  /** Whether the client has been made (its package loaded). */
  get made(): boolean {
    return this.#made !== undefined;
  }
}
