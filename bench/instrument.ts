/**
 * What the benchmark watches while a pass runs, without touching steady: a timeline of the SDK
 * calls (wall and simulated time of each one's end, what it changed), the CPU the simulated
 * account spends answering, and the process's resident set size.
 */
import { SERVICE_OF_CLIENT, serviceOfClient, type AwsClients } from '../controller/aws/clients.js';
import type { SimAccount, SimServiceName } from '../controller/sim/account.js';

/** One SDK command as the timeline keeps it: only what heal times need, no payloads. */
export interface CallRecord {
  service: string;
  operation: string;
  /** performance.now() when the command (with its retries) returned. */
  wallEnd: number;
  /** Simulated time then. */
  simEnd: number;
  error?: string;
  /** ECS service the call changed (UpdateService), or the ARN it tagged (TagResource). */
  subject?: string;
  /** Route 53: the change id a ChangeResourceRecordSets started or a GetChange read, and its status. */
  changeId?: string;
  status?: string;
  /** Route 53: record names a ChangeResourceRecordSets changed (normalised, no trailing dot). */
  names?: string[];
  /** Attempts the SDK made and the time it waited between them (throttling back-off). */
  attempts: number;
  retryDelayMs: number;
}


const bare = (id: string | undefined) => id?.replace(/^\/change\//, '');
const dnsName = (n: string) => n.toLowerCase().replace(/\.$/, '');

/**
 * Records every command sent through `clients` (outermost middleware, so one record per command
 * whatever its retries) and times the simulated account's operation handlers.
 */
export class Instruments {
  readonly records: CallRecord[] = [];
  #simCpuMs = 0;

  constructor(
    private readonly account: SimAccount,
    clients: AwsClients,
  ) {
    this.watch(clients);
    // The simulated services answer synchronously: time each handler to separate the simulator's
    // CPU from steady's.
    for (const name of Object.values(SERVICE_OF_CLIENT) as SimServiceName[]) {
      const ops = (account[name] as { operations: Record<string, (input: any) => unknown> }).operations;
      for (const [op, handler] of Object.entries(ops)) {
        ops[op] = (input: any) => {
          const start = performance.now();
          try {
            return handler(input);
          } finally {
            this.#simCpuMs += performance.now() - start;
          }
        };
      }
    }
  }

  /** Records the commands sent through another set of clients too (a cold Lambda's). */
  watch(clients: AwsClients): void {
    for (const client of Object.values(clients)) {
      const service = serviceOfClient(client) ?? client.constructor.name;
      client.middlewareStack.add(
        (next: any, context: any) => async (args: any) => {
          const operation = String(context.commandName).replace(/Command$/, '');
          const input = args.input ?? {};
          const record: CallRecord = { service, operation, wallEnd: 0, simEnd: 0, attempts: 1, retryDelayMs: 0, ...subjectOf(operation, input) };
          try {
            const out = await next(args);
            const output = out.output ?? {};
            record.attempts = output.$metadata?.attempts ?? 1;
            record.retryDelayMs = output.$metadata?.totalRetryDelay ?? 0;
            if (output.ChangeInfo) Object.assign(record, { changeId: bare(output.ChangeInfo.Id), status: output.ChangeInfo.Status });
            return out;
          } catch (err) {
            const e = err as { name?: string; $metadata?: { attempts?: number; totalRetryDelay?: number } };
            record.error = e.name ?? 'Error';
            record.attempts = e.$metadata?.attempts ?? 1;
            record.retryDelayMs = e.$metadata?.totalRetryDelay ?? 0;
            throw err;
          } finally {
            record.wallEnd = performance.now();
            record.simEnd = this.account.clock.now();
            this.records.push(record);
          }
        },
        { step: 'initialize', name: 'benchTimeline', override: true },
      );
    }
  }

  /** Milliseconds the simulated account's handlers have run so far. */
  get simCpuMs(): number {
    return this.#simCpuMs;
  }
}

function subjectOf(operation: string, input: any): Partial<CallRecord> {
  switch (operation) {
    case 'UpdateService':
      return { subject: String(input.service ?? '') };
    case 'TagResource':
      return { subject: String(input.resourceArn ?? '') };
    case 'ChangeResourceRecordSets':
      return { names: (input.ChangeBatch?.Changes ?? []).map((c: any) => dnsName(String(c.ResourceRecordSet?.Name ?? ''))) };
    case 'GetChange':
      return { changeId: bare(input.Id) };
    default:
      return {};
  }
}

/**
 * Samples the process's resident set size and heap in use every `everyMs` until stopped; returns
 * the peaks in bytes. A sample costs microseconds, and the pass awaits I/O often enough for the
 * timer to run.
 */
export function sampleMemory(everyMs = 5): () => { rss: number; heapUsed: number } {
  const peak = { rss: 0, heapUsed: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return () => {
    clearInterval(timer);
    sample();
    return peak;
  };
}

/** The process's peak resident set size so far, in bytes. */
export function maxRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}
