/**
 * The package's entry point offers what an app uses, not the build's tools: bundling the provider needs
 * esbuild, which an installed package does not bring (it ships the bundle prebuilt).
 */
import * as entry from '../../lib';

describe('the package entry point', () => {
  it('does not export the bundling tools', () => {
    expect(Object.keys(entry)).not.toContain('bundleProviderHandler');
    expect(Object.keys(entry)).not.toContain('PROVIDER_BUNDLE_OPTIONS');
    expect(Object.keys(entry)).toEqual(expect.arrayContaining(['PROVIDER_HANDLERS', 'providerHandlerCode', 'providerHandlerDirectory']));
  });
});
