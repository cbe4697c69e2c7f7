import { ResourceNotFoundException } from '@aws-sdk/client-acm';
import type { SimAccount, SimService } from './account.js';
import { awsError } from './errors.js';

/** Starting state of the simulated ACM: certificates are declared with the load balancers (elbv2.certificates). */
export type AcmFixture = Record<string, never>;

/**
 * The simulated AWS Certificate Manager: DescribeCertificate over the certificates the simulated
 * ELBv2's listeners use (their expiry is set by fixtures or `elbv2.setCertificate`).
 */
export class AcmSim implements SimService {
  readonly operations: Record<string, (input: any) => unknown> = {
    DescribeCertificate: (input: { CertificateArn?: string }) => {
      const arn = input.CertificateArn ?? '';
      const c = this.account.elbv2.certificate(arn);
      if (!c) throw awsError(ResourceNotFoundException, `Could not find certificate ${arn}.`);
      return {
        Certificate: {
          CertificateArn: c.arn,
          DomainName: c.domainName,
          Status: c.status,
          NotAfter: new Date(c.notAfter),
          Type: 'AMAZON_ISSUED',
          InUseBy: [],
        },
      };
    },
  };

  constructor(readonly account: SimAccount) {}

  seed(_fixture: AcmFixture): void {}
}
