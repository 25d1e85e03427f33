/** Service physical ids: the plain form users know from Terraform, and the record of a replaced service after `~`. */
import fc from 'fast-check';
import {
  formatServicePhysicalId,
  MAX_SERVICE_ID_LINKS,
  parseReplacedService,
  parseServicePhysicalId,
  replacedIdFor,
  type ServiceRef,
} from '../../../lambda/lifecycle/service/physical-id';

const PROJECT = '5f1e0a1b2c3d4e5f6a7b8c9d';
const a: ServiceRef = { projectId: PROJECT, serviceId: '6b0afe2c5721d53048387adc', provider: 'AWS', region: 'US_EAST_1' };
const b: ServiceRef = { projectId: PROJECT, serviceId: '6b0b0a1b5721d53048387add', provider: 'AWS', region: 'EU_WEST_1' };
const c: ServiceRef = {
  projectId: '5f1e0a1b2c3d4e5f6a7b8c9e',
  serviceId: '6b0c0a1b5721d53048387ade',
  provider: 'AZURE',
  region: 'US_EAST_2',
};
const A = `${PROJECT}-6b0afe2c5721d53048387adc-AWS-US_EAST_1`;
const B = `${PROJECT}-6b0b0a1b5721d53048387add-AWS-EU_WEST_1`;
const C = '5f1e0a1b2c3d4e5f6a7b8c9e-6b0c0a1b5721d53048387ade-AZURE-US_EAST_2';

describe('service physical ids', () => {
  it('a service that replaced nothing has the plain Terraform import id, and ids made before the record still parse', () => {
    expect(formatServicePhysicalId(a)).toBe(A);
    expect(parseServicePhysicalId(A)).toEqual(a);
    expect(parseReplacedService(A)).toBeUndefined();
    // Only an id of ours is recorded: a failed Create's marker or a made-up id names nothing.
    expect(formatServicePhysicalId(a, 'not-created-r-1')).toBe(A);
    expect(formatServicePhysicalId(a, undefined)).toBe(A);
  });

  it("a replacement's id names the replacement and records the replaced service's id exactly as it was", () => {
    const id = formatServicePhysicalId(b, A);
    expect(id).toBe(`${B}~${A}`);
    expect(parseServicePhysicalId(id)).toEqual(b);
    expect(parseReplacedService(id)).toEqual({ ref: a, physicalResourceId: A });
    // The replaced service's id carried its own record: it comes back whole.
    const next = formatServicePhysicalId(c, id);
    expect(next).toBe(`${C}~${B}~${A}`);
    expect(parseServicePhysicalId(next)).toEqual(c);
    expect(parseReplacedService(next)).toEqual({ ref: b, physicalResourceId: id });
  });

  it(`keeps at most ${MAX_SERVICE_ID_LINKS} links, dropping the oldest, and stays short ASCII`, () => {
    const chain = [C, B, A, C];
    const full = chain.join('~');
    expect(parseServicePhysicalId(full)).toEqual(c);
    const longer = formatServicePhysicalId(b, full);
    expect(longer).toBe([B, C, B, A].join('~'));
    expect(parseReplacedService(longer)?.physicalResourceId).toBe([C, B, A].join('~'));
    // Five links are not an id this provider makes.
    expect(parseServicePhysicalId([B, ...chain].join('~'))).toBeUndefined();
    const longest = formatServicePhysicalId(
      { ...c, region: 'R'.repeat(64) },
      [1, 2, 3].map(() => formatServicePhysicalId({ ...c, region: 'R'.repeat(64) })).join('~'),
    );
    expect(longest.split('~')).toHaveLength(MAX_SERVICE_ID_LINKS);
    expect(parseServicePhysicalId(longest)).toBeDefined();
    expect(Buffer.byteLength(longest)).toBeLessThan(1024);
    expect(longest).toMatch(/^[\x21-\x7e]+$/);
  });

  it.each([
    ['a trailing separator', `${B}~`],
    ['a leading separator', `~${B}`],
    ['an empty link', `${B}~~${A}`],
    ['a link that is not an id', `${B}~not-created-r-1`],
    ['a path segment', `${B}~../${A}`],
    ['another separator', `${B}/${A}`],
    ['a region past 64 characters', `${PROJECT}-6b0afe2c5721d53048387adc-AWS-${'R'.repeat(65)}`],
    ['an id past 512 characters', `${B}~${'x'.repeat(600)}`],
    ['unicode', `${B}~${A.replace('US', 'ÜS')}`],
    ['an upper-case Atlas id', A.toUpperCase()],
  ])('names nothing of ours with %s', (_what, id) => {
    expect(parseServicePhysicalId(id)).toBeUndefined();
    expect(parseReplacedService(id)).toBeUndefined();
  });

  it('round-trips any service and any replaced id of ours', () => {
    const hex24 = fc.stringMatching(/^[a-f0-9]{24}$/);
    const refs = fc.record({
      projectId: hex24,
      serviceId: hex24,
      provider: fc.constantFrom('AWS' as const, 'AZURE' as const, 'GCP' as const),
      region: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
    });
    fc.assert(
      fc.property(refs, fc.array(refs, { maxLength: 5 }), (ref, earlier) => {
        const replaced = earlier.length
          ? earlier.reduceRight<string | undefined>((prev, r) => formatServicePhysicalId(r, prev), undefined)
          : undefined;
        const id = formatServicePhysicalId(ref, replaced);
        expect(parseServicePhysicalId(id)).toEqual(ref);
        const back = parseReplacedService(id);
        if (!replaced) return expect(back).toBeUndefined();
        expect(back?.ref).toEqual(earlier[0]);
        // Exact while the replaced id had room for one more link; else it loses its oldest.
        if (replaced.split('~').length < MAX_SERVICE_ID_LINKS) expect(back?.physicalResourceId).toBe(replaced);
        else expect(replaced.startsWith(back!.physicalResourceId)).toBe(true);
      }),
    );
  });

  it('a service made for a replacing Update records the id the Update came with; a Create, or the same service, records nothing', () => {
    expect(replacedIdFor({ RequestType: 'Update', PhysicalResourceId: A }, b)).toBe(A);
    expect(replacedIdFor({ RequestType: 'Update', PhysicalResourceId: `${B}~${A}` }, c)).toBe(`${B}~${A}`);
    expect(replacedIdFor({ RequestType: 'Update', PhysicalResourceId: A }, a)).toBeUndefined();
    expect(replacedIdFor({ RequestType: 'Update', PhysicalResourceId: 'not-created-r-1' }, b)).toBeUndefined();
    expect(replacedIdFor({ RequestType: 'Create' }, b)).toBeUndefined();
  });
});
