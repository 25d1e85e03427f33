import { MAX_ANSWER_BYTES, renderAnswer } from '../../lambda/cloudformation/answer';
import { serviceAttributes } from '../../lambda/lifecycle/service/attributes';

const request = { StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/1', RequestId: 'r-1', LogicalResourceId: 'Service' };

describe('the answer to CloudFormation', () => {
  it('copies the request ids back and carries Data as given', () => {
    expect(JSON.parse(renderAnswer(request, { status: 'SUCCESS', physicalResourceId: 'p', data: { A: 'b' } }))).toEqual({
      Status: 'SUCCESS',
      PhysicalResourceId: 'p',
      StackId: request.StackId,
      RequestId: 'r-1',
      LogicalResourceId: 'Service',
      Data: { A: 'b' },
    });
  });

  it('cuts a long Reason to fit 4096 bytes, multi-byte characters included, and never the physical id', () => {
    const id = `5f1e0a1b2c3d4e5f6a7b8c9d-${'a'.repeat(24)}-AWS-US_EAST_1`;
    for (const reason of ['x'.repeat(10_000), 'é'.repeat(5000), '🙂'.repeat(3000), '"\\'.repeat(3000)]) {
      const body = renderAnswer(request, { status: 'FAILED', physicalResourceId: id, reason });
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_ANSWER_BYTES);
      expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_ANSWER_BYTES - 8);
      const parsed = JSON.parse(body) as { Reason: string; PhysicalResourceId: string };
      expect(parsed.PhysicalResourceId).toBe(id);
      expect(parsed.Reason).toMatch(/cut to fit the 4096-byte response limit\]$/);
      expect(parsed.Reason).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    }
  });

  it('gives every FAILED answer a reason', () => {
    expect(JSON.parse(renderAnswer(request, { status: 'FAILED', physicalResourceId: 'p' })).Reason).toBeTruthy();
  });

  it('fits a GCP service with 50 service attachments: names plus their shared base URL', () => {
    const base = 'https://www.googleapis.com/compute/v1/projects/p-abcdefghijklmnopqrstuvwx/regions/us-central1/serviceAttachments/';
    const attachments = Array.from({ length: 50 }, (_, n) => `${base}sa-us-central1-6b0afe2c5721d53048387adc-${n}`);
    const data = serviceAttributes('5f1e0a1b2c3d4e5f6a7b8c9d', {
      cloudProvider: 'GCP',
      id: '6b0afe2c5721d53048387adc',
      regionName: 'CENTRAL_US',
      status: 'WAITING_FOR_USER',
      errorMessage: null,
      endpointGroupNames: [],
      serviceAttachmentNames: attachments,
      portMappingEnabled: false,
    });
    expect(data.ServiceAttachmentBaseUrl).toBe(base);
    expect(data.ServiceAttachmentNames.split(',').map((n) => data.ServiceAttachmentBaseUrl + n)).toEqual(attachments);
    const body = renderAnswer(request, {
      status: 'SUCCESS',
      physicalResourceId: '5f1e0a1b2c3d4e5f6a7b8c9d-6b0afe2c5721d53048387adc-GCP-CENTRAL_US',
      data,
    });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_ANSWER_BYTES);
    expect(JSON.parse(body).Data).toEqual(data);
  });

  it('keeps full URLs when they fit (port mapping: one attachment)', () => {
    const url = 'https://www.googleapis.com/compute/v1/projects/p-abcdefghijklmnopqrstuvwx/regions/us-central1/serviceAttachments/sa-1';
    const data = serviceAttributes('5f1e0a1b2c3d4e5f6a7b8c9d', {
      cloudProvider: 'GCP',
      id: '6b0afe2c5721d53048387adc',
      regionName: 'CENTRAL_US',
      status: 'WAITING_FOR_USER',
      errorMessage: null,
      serviceAttachmentNames: [url],
      portMappingEnabled: true,
    });
    expect(data.ServiceAttachmentNames).toBe(url);
  });
});
