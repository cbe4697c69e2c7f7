/**
 * A small local server speaking the AWS JSON 1.1 protocol of Secrets Manager `GetSecretValue` and
 * SSM `GetParameter`, for tests of code that reads secrets through default-configured SDK clients
 * (point them here with `useEndpoint('SECRETS_MANAGER', ...)` and `useEndpoint('SSM', ...)`).
 * Unknown names answer as AWS does: `ResourceNotFoundException` / `ParameterNotFound`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SecretsServerContent {
  /** Secrets Manager secrets by ARN: the SecretString. */
  secrets?: Record<string, string>;
  /** SSM parameters by name: the (decrypted) value of a SecureString. */
  parameters?: Record<string, string>;
}

export interface SecretsCall {
  target: string;
  input: Record<string, unknown>;
}

export async function startSecretsServer(content: SecretsServerContent) {
  const calls: SecretsCall[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      calls.push({ target, input });
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${calls.length}` });
        res.end(JSON.stringify(body));
      };
      if (target === 'secretsmanager.GetSecretValue') {
        const id = String(input.SecretId);
        const value = content.secrets?.[id];
        if (value === undefined) return answer(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
        return answer(200, { ARN: id, Name: id.split(':secret:')[1] ?? id, SecretString: value, VersionId: 'v1', VersionStages: ['AWSCURRENT'], CreatedDate: 1767225600 });
      }
      if (target === 'AmazonSSM.GetParameter') {
        const name = String(input.Name);
        const value = content.parameters?.[name];
        if (value === undefined) return answer(400, { __type: 'ParameterNotFound', message: '' });
        return answer(200, {
          Parameter: {
            Name: name,
            Type: 'SecureString',
            // Without decryption AWS returns the ciphertext.
            Value: input.WithDecryption === true ? value : Buffer.from(`kms:${value.length}`).toString('base64'),
            Version: 1,
            ARN: `arn:aws:ssm:ap-northeast-1:123456789012:parameter${name.startsWith('/') ? '' : '/'}${name}`,
            DataType: 'text',
          },
        });
      }
      answer(400, { __type: 'UnknownOperationException', message: `unknown target ${target}` });
    });
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
  return {
    endpoint,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
