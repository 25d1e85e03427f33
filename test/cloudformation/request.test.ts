import { requestSentAt } from '../../lambda/cloudformation/request';

// The shape of CloudFormation's SigV4 pre-signed S3 URL (signature made up).
const url = (date: string) =>
  `https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/arn%3Aaws%3Acloudformation%3Aus-east-1%3A123456789012%3Astack/s/id%7CRes%7Creq?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=${date}&X-Amz-SignedHeaders=host&X-Amz-Expires=7199&X-Amz-Credential=AKIAEXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=abc`;

describe('requestSentAt', () => {
  const now = Date.UTC(2026, 10, 29, 18, 0, 0);

  it('is the signing time of the ResponseURL, so a redelivery 3 minutes later keeps the deadline', () => {
    expect(requestSentAt({ ResponseURL: url('20261129T175700Z') }, now)).toBe(Date.UTC(2026, 10, 29, 17, 57, 0));
  });

  it('never lies in the future, nor further back than the URL can be valid', () => {
    expect(requestSentAt({ ResponseURL: url('20261129T190000Z') }, now)).toBe(now);
    expect(requestSentAt({ ResponseURL: url('20261128T000000Z') }, now)).toBe(now - 2 * 3600_000);
  });

  it('is now for a URL without a usable time', () => {
    expect(requestSentAt({ ResponseURL: 'https://example.com/x?Expires=1' }, now)).toBe(now);
    expect(requestSentAt({ ResponseURL: url('yesterday') }, now)).toBe(now);
    expect(requestSentAt({ ResponseURL: 'not a url' }, now)).toBe(now);
  });
});
