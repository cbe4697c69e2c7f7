import { describe, expect, it } from 'vitest';
import { normaliseDnsName, sameAliasDnsName } from './aws.js';

describe('DNS names as steady compares them', () => {
  it("decodes Route 53's octal escapes, lower-cases and drops the trailing dot", () => {
    expect(normaliseDnsName('\\052.Example.COM.')).toBe('*.example.com');
    expect(normaliseDnsName('a\\100b.example.com')).toBe('a@b.example.com');
    expect(normaliseDnsName('api.example.com')).toBe('api.example.com');
    // Only the one trailing dot, and only at the end.
    expect(normaliseDnsName('api.example.com..')).toBe('api.example.com.');
    expect(normaliseDnsName('.api.example.com')).toBe('.api.example.com');
  });

  it('an alias target is the same whatever its case, trailing dot or dualstack. prefix', () => {
    expect(sameAliasDnsName('dualstack.shop-alb-1.ap-northeast-1.elb.amazonaws.com.', 'Shop-ALB-1.ap-northeast-1.elb.amazonaws.com')).toBe(true);
    expect(sameAliasDnsName('d111111abcdef8.cloudfront.net', 'D111111ABCDEF8.cloudfront.net.')).toBe(true);
  });

  it('a different load balancer is a different alias target', () => {
    expect(sameAliasDnsName('dualstack.shop-alb-1.ap-northeast-1.elb.amazonaws.com', 'shop-alb-2.ap-northeast-1.elb.amazonaws.com')).toBe(false);
    // `dualstack.` counts only as a prefix.
    expect(sameAliasDnsName('x.dualstack.shop-alb-1.elb.amazonaws.com', 'x.shop-alb-1.elb.amazonaws.com')).toBe(false);
    expect(sameAliasDnsName('shop-alb-1.elb.amazonaws.com.x', 'shop-alb-1.elb.amazonaws.com')).toBe(false);
  });
});
