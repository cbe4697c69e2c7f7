/**
 * The ACM adapter: certificate validity for the wiring checks (a listener's certificate about to
 * expire). ACM has no batch read, so one DescribeCertificate per ARN, run concurrently.
 */
import { DescribeCertificateCommand, type ACMClient } from '@aws-sdk/client-acm';
import { AwsCallError, awsCall } from '../errors.js';
import type { CertificateInfo, CertificateReader } from '../wiring/certificates.js';

/**
 * @example
 * const results = await checkWiring(desired, adapters, { certificates: new AcmAdapter(clients.acm) });
 */
export class AcmAdapter implements CertificateReader {
  readonly source = 'ACM';

  constructor(private readonly client: ACMClient) {}

  /** Each certificate, or null for an ARN ACM does not know. */
  async describeCertificates(arns: readonly string[]): Promise<Map<string, CertificateInfo | null>> {
    const entries = await Promise.all(
      [...new Set(arns)].map(async (arn): Promise<[string, CertificateInfo | null]> => {
        try {
          const out = await awsCall('acm', 'DescribeCertificate', `describing certificate ${arn}`, () => this.client.send(new DescribeCertificateCommand({ CertificateArn: arn })));
          const c = out.Certificate;
          return [arn, { arn, notAfter: c?.NotAfter?.getTime() ?? 0, status: c?.Status ?? 'UNKNOWN', ...(c?.DomainName ? { domainName: c.DomainName } : {}) }];
        } catch (err) {
          if (err instanceof AwsCallError && err.awsName === 'ResourceNotFoundException') return [arn, null];
          throw err;
        }
      }),
    );
    return new Map(entries);
  }
}
