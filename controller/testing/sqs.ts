/**
 * A small local stand-in for Amazon SQS that speaks its JSON protocol (awsJson1.0, `X-Amz-Target:
 * AmazonSQS.<Operation>`), so the dispatcher's real `@aws-sdk/client-sqs` sends to it; and
 * `pollQueue`, the part of Lambda's SQS event source mapping the worker sees: batches of records,
 * `batchItemFailures`, at most `maximumConcurrency` invocations at once. Standard queues only:
 * at-least-once, visibility timeout on the given clock (the simulated one in tests), receive
 * counts and a redrive policy (`maxReceiveCount` -> the dead-letter queue). Not modelled: FIFO,
 * message attributes, long polling (a receive answers at once), delays, purges.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { SQSClient, ReceiveMessageCommand, DeleteMessageCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Clock } from '../clock.js';
import type { LocalServer } from './servers.js';

const ACCOUNT = '123456789012';
const REGION = 'ap-northeast-1';

interface Message {
  id: string;
  body: string;
  md5: string;
  sentAt: number;
  receiveCount: number;
  firstReceiveAt?: number;
  visibleAt: number;
  receipt?: string;
}

interface Queue {
  name: string;
  url: string;
  arn: string;
  visibilityTimeoutMs: number;
  messages: Message[];
  redrive?: { deadLetterTargetArn: string; maxReceiveCount: number };
}

class SqsError extends Error {
  constructor(
    readonly type: string,
    readonly queryCode: string,
    message: string,
  ) {
    super(message);
  }
}

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

/** The operations of the stand-in over its queues. */
function sqsOperations(queues: Map<string, Queue>, clock: Clock, endpoint: () => string): Record<string, (input: any) => unknown> {
  const byUrl = (url: unknown) => {
    const q = [...queues.values()].find((x) => x.url === url || x.name === String(url ?? '').split('/').pop());
    if (!q) throw new SqsError('com.amazonaws.sqs#QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
    return q;
  };
  const send = (q: Queue, body: string): Message => {
    const m: Message = { id: randomUUID(), body, md5: md5(body), sentAt: clock.now(), receiveCount: 0, visibleAt: clock.now() };
    q.messages.push(m);
    return m;
  };
  return {
    CreateQueue(input) {
      const name = String(input.QueueName);
      const existing = queues.get(name);
      if (existing) return { QueueUrl: existing.url };
      const attrs = input.Attributes ?? {};
      const q: Queue = {
        name,
        url: `${endpoint()}/${ACCOUNT}/${name}`,
        arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`,
        visibilityTimeoutMs: Number(attrs.VisibilityTimeout ?? 30) * 1000,
        messages: [],
        ...(attrs.RedrivePolicy ? { redrive: JSON.parse(attrs.RedrivePolicy) } : {}),
      };
      queues.set(name, q);
      return { QueueUrl: q.url };
    },
    GetQueueUrl: (input) => ({ QueueUrl: byUrl(input.QueueName).url }),
    GetQueueAttributes(input) {
      const q = byUrl(input.QueueUrl);
      const now = clock.now();
      return {
        Attributes: {
          QueueArn: q.arn,
          ApproximateNumberOfMessages: String(q.messages.filter((m) => m.visibleAt <= now).length),
          ApproximateNumberOfMessagesNotVisible: String(q.messages.filter((m) => m.visibleAt > now).length),
          VisibilityTimeout: String(q.visibilityTimeoutMs / 1000),
        },
      };
    },
    SendMessage(input) {
      const m = send(byUrl(input.QueueUrl), String(input.MessageBody));
      return { MessageId: m.id, MD5OfMessageBody: m.md5 };
    },
    SendMessageBatch(input) {
      const q = byUrl(input.QueueUrl);
      const entries: any[] = input.Entries ?? [];
      if (entries.length === 0) throw new SqsError('com.amazonaws.sqs#EmptyBatchRequest', 'AWS.SimpleQueueService.EmptyBatchRequest', 'There should be at least one SendMessageBatchRequestEntry in the request.');
      if (entries.length > 10) throw new SqsError('com.amazonaws.sqs#TooManyEntriesInBatchRequest', 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${entries.length}.`);
      return { Successful: entries.map((e) => ({ Id: e.Id, ...((m) => ({ MessageId: m.id, MD5OfMessageBody: m.md5 }))(send(q, String(e.MessageBody))) })), Failed: [] };
    },
    ReceiveMessage(input) {
      const q = byUrl(input.QueueUrl);
      const max = Math.min(10, Number(input.MaxNumberOfMessages ?? 1));
      const now = clock.now();
      const out: any[] = [];
      for (const m of [...q.messages]) {
        if (out.length >= max) break;
        if (m.visibleAt > now) continue;
        if (q.redrive && m.receiveCount >= q.redrive.maxReceiveCount) {
          // Redrive: moved to the dead-letter queue instead of being received again.
          q.messages.splice(q.messages.indexOf(m), 1);
          const dlq = [...queues.values()].find((x) => x.arn === q.redrive!.deadLetterTargetArn);
          dlq?.messages.push({ ...m, receiveCount: 0, visibleAt: now, receipt: undefined });
          continue;
        }
        m.receiveCount += 1;
        m.firstReceiveAt ??= now;
        m.visibleAt = now + (input.VisibilityTimeout !== undefined ? Number(input.VisibilityTimeout) * 1000 : q.visibilityTimeoutMs);
        m.receipt = `${m.id}#${m.receiveCount}#${randomUUID()}`;
        out.push({
          MessageId: m.id,
          ReceiptHandle: m.receipt,
          MD5OfBody: m.md5,
          Body: m.body,
          Attributes: { ApproximateReceiveCount: String(m.receiveCount), SentTimestamp: String(m.sentAt), ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt) },
        });
      }
      return out.length > 0 ? { Messages: out } : {};
    },
    DeleteMessage(input) {
      const q = byUrl(input.QueueUrl);
      const i = q.messages.findIndex((m) => m.receipt === input.ReceiptHandle);
      // SQS accepts the receipt handle of a message already deleted; a stale handle of a message received again is ignored too.
      if (i >= 0) q.messages.splice(i, 1);
      return {};
    },
    ChangeMessageVisibility(input) {
      const q = byUrl(input.QueueUrl);
      const m = q.messages.find((x) => x.receipt === input.ReceiptHandle);
      if (!m) throw new SqsError('com.amazonaws.sqs#ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid', `The input receipt handle "${input.ReceiptHandle}" is not a valid receipt handle.`);
      m.visibleAt = clock.now() + Number(input.VisibilityTimeout) * 1000;
      return {};
    },
  };
}

/** A local SQS. `queues` is its state, for tests to inspect. */
export async function startSqs(clock: Clock): Promise<LocalServer & { queue(name: string): Queue | undefined; depth(name: string): number }> {
  const queues = new Map<string, Queue>();
  let endpoint = '';
  const ops = sqsOperations(queues, clock, () => endpoint);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.replace(/^AmazonSQS\./, '');
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID(), ...headers });
        res.end(JSON.stringify(body));
      };
      try {
        const handler = ops[op];
        if (!target.startsWith('AmazonSQS.') || !handler) throw new SqsError('com.amazonaws.sqs#InvalidAction', 'InvalidAction', `The action ${op || '(none)'} is not valid for this endpoint.`);
        reply(200, handler(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')));
      } catch (err) {
        if (err instanceof SqsError) reply(400, { __type: err.type, message: err.message }, { 'x-amzn-query-error': `${err.queryCode};Sender` });
        else reply(500, { __type: 'com.amazonaws.sqs#InternalError', message: String(err) });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    endpoint,
    queue: (name) => queues.get(name),
    depth: (name) => queues.get(name)?.messages.length ?? 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type SqsWorker = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

/**
 * Lambda's SQS event source mapping, as far as the worker can tell: receives batches of up to
 * `batchSize` with a real SQS client, invokes `worker` with at most `maximumConcurrency` batches in
 * flight, deletes what succeeded (a thrown invocation fails the whole batch; `batchItemFailures`
 * the records it names), and stops when the queue has nothing visible and nothing is in flight.
 * Records that failed come back after the visibility timeout, when `onIdle` advances the clock.
 */
export async function pollQueue(options: {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  worker: SqsWorker;
  context: () => Context;
  maximumConcurrency: number;
  batchSize?: number;
  /** Called when nothing is visible and nothing in flight; return true to poll again (after advancing the clock). */
  onIdle?: () => boolean | Promise<boolean>;
  /** Invocations not waited for (a hung one): the poller returns once nothing is visible and only these run. */
  leaveRunning?: (event: SQSEvent) => boolean;
}): Promise<{ invocations: number; running: Promise<void>[] }> {
  let invocations = 0;
  const inFlight = new Set<Promise<void>>();
  const waitedFor = new Set<Promise<void>>();
  for (;;) {
    while (inFlight.size < options.maximumConcurrency) {
      const out = await options.sqs.send(new ReceiveMessageCommand({ QueueUrl: options.queueUrl, MaxNumberOfMessages: options.batchSize ?? 1, MessageSystemAttributeNames: ['All'] }));
      const messages = out.Messages ?? [];
      if (messages.length === 0) break;
      const event: SQSEvent = {
        Records: messages.map((m) => ({
          messageId: m.MessageId!,
          receiptHandle: m.ReceiptHandle!,
          body: m.Body!,
          attributes: {
            ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
            SentTimestamp: m.Attributes?.SentTimestamp ?? '0',
            SenderId: ACCOUNT,
            ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? '0',
          },
          messageAttributes: {},
          md5OfBody: m.MD5OfBody!,
          eventSource: 'aws:sqs',
          eventSourceARN: options.queueArn,
          awsRegion: REGION,
        })),
      };
      invocations += 1;
      const run: Promise<void> = (async () => {
        let failed: Set<string>;
        try {
          const answer = await options.worker(event, options.context());
          failed = new Set((answer?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        } catch {
          failed = new Set(event.Records.map((r) => r.messageId));
        }
        for (const r of event.Records) {
          if (!failed.has(r.messageId)) await options.sqs.send(new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: r.receiptHandle }));
        }
      })().finally(() => {
        inFlight.delete(run);
        waitedFor.delete(run);
      });
      inFlight.add(run);
      if (!options.leaveRunning?.(event)) waitedFor.add(run);
    }
    if (waitedFor.size > 0) {
      await Promise.race(waitedFor);
      continue;
    }
    if (inFlight.size > 0) return { invocations, running: [...inFlight] };
    if (!(await options.onIdle?.())) return { invocations, running: [] };
  }
}
