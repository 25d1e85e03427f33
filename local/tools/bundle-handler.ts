/**
 * The package build's second half: bundles the provider's Lambda handler into `dist/handler/`, where the
 * compiled constructs (`dist/lib/`) find it, so that apps installing the package synthesize without esbuild.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { bundleProviderHandler } from '../../lib/handler-asset';

const outdir = join(__dirname, '..', '..', 'dist', 'handler');
rmSync(outdir, { recursive: true, force: true });
bundleProviderHandler(outdir);
console.log(`bundled the provider handler into ${join('dist', 'handler')}`);
