import { ATLAS_BASE_URL, ATLAS_GOV_BASE_URL, resolveAtlasBaseUrl } from '../../lambda/model/base-url';

describe('Atlas base URL', () => {
  it('defaults to Atlas, or Atlas for Government on request', () => {
    expect(resolveAtlasBaseUrl()).toBe('https://cloud.mongodb.com');
    expect(resolveAtlasBaseUrl({ government: true })).toBe('https://cloud.mongodbgov.com');
    expect([ATLAS_BASE_URL, ATLAS_GOV_BASE_URL]).toEqual(['https://cloud.mongodb.com', 'https://cloud.mongodbgov.com']);
  });

  it('accepts https anywhere and plain http only to loopback', () => {
    expect(resolveAtlasBaseUrl({ baseUrl: 'https://cloud.mongodbgov.com/' })).toBe('https://cloud.mongodbgov.com');
    expect(resolveAtlasBaseUrl({ baseUrl: 'http://127.0.0.1:8080' })).toBe('http://127.0.0.1:8080');
    expect(resolveAtlasBaseUrl({ baseUrl: 'http://localhost:9' })).toBe('http://localhost:9');
    expect(resolveAtlasBaseUrl({ baseUrl: 'http://[::1]:9' })).toBe('http://[::1]:9');
    expect(() => resolveAtlasBaseUrl({ baseUrl: 'http://cloud.mongodb.com' })).toThrow(/only https/);
    expect(() => resolveAtlasBaseUrl({ baseUrl: 'http://10.0.0.1' })).toThrow(/loopback/);
  });

  it('refuses what is not an origin', () => {
    expect(() => resolveAtlasBaseUrl({ baseUrl: 'cloud.mongodb.com' })).toThrow(/not a URL/);
    expect(() => resolveAtlasBaseUrl({ baseUrl: 'https://cloud.mongodb.com/api/atlas/v2' })).toThrow(/origin only/);
    expect(() => resolveAtlasBaseUrl({ baseUrl: 'https://user:pw@cloud.mongodb.com' })).toThrow(/user name or password/);
  });
});
