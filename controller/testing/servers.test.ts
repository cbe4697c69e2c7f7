import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { startDynamoDb, startHttpRecorder, startS3, startSes, useEndpoint } from './servers.js';

// The local servers the other tests rely on, reached by default-configured SDK clients through
// the standard AWS_ENDPOINT_URL_<SERVICE> variables.
describe('local servers', () => {
  it('serves DynamoDB through AWS_ENDPOINT_URL_DYNAMODB', async () => {
    const db = await startDynamoDb();
    const restore = useEndpoint('DYNAMODB', db.endpoint);
    try {
      const client = new DynamoDBClient({ region: 'ap-northeast-1' });
      await client.send(
        new CreateTableCommand({
          TableName: 'steady-test',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual(['steady-test']);
    } finally {
      restore();
      await db.close();
    }
  });

  it('serves S3 through AWS_ENDPOINT_URL_S3', async () => {
    const s3 = await startS3();
    const restore = useEndpoint('S3', s3.endpoint);
    try {
      const client = new S3Client({ region: 'ap-northeast-1' });
      await client.send(new CreateBucketCommand({ Bucket: 'specs' }));
      expect((await client.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual(['specs']);
    } finally {
      restore();
      await s3.close();
    }
  });

  it('captures email sent through SES v2', async () => {
    const ses = await startSes();
    const restore = useEndpoint('SESV2', ses.endpoint);
    try {
      const client = new SESv2Client({ region: 'ap-northeast-1' });
      await client.send(
        new SendEmailCommand({
          FromEmailAddress: 'steady@example.com',
          Destination: { ToAddresses: ['ops@example.com'] },
          Content: { Simple: { Subject: { Data: 'hello' }, Body: { Text: { Data: 'plain' }, Html: { Data: '<p>html</p>' } } } },
        }),
      );
      const [mail] = await ses.emails();
      expect(mail).toMatchObject({ from: 'steady@example.com', destination: { to: ['ops@example.com'] }, subject: 'hello', body: { text: 'plain', html: '<p>html</p>' } });
    } finally {
      restore();
      await ses.close();
    }
  });

  it('records HTTP requests and answers from a script', async () => {
    const http = await startHttpRecorder();
    try {
      http.respond({ status: 429, headers: { 'retry-after': '1' }, body: 'slow down' });
      const first = await fetch(`${http.endpoint}/hook`, { method: 'POST', body: '{"a":1}' });
      const second = await fetch(`${http.endpoint}/hook`, { method: 'POST', body: '{"a":2}' });
      expect([first.status, second.status]).toEqual([429, 200]);
      expect(http.requests.map((r) => r.body)).toEqual(['{"a":1}', '{"a":2}']);
    } finally {
      await http.close();
    }
  });
});
