#!/usr/bin/env node
/**
 * This repository's CDK app (`npx cdk ls`, `npx cdk deploy AtlasPrivateEndpointProvider`): the provider stack,
 * which exports its ServiceToken, and an example PrivateLink stack. Context options: see `stacks.ts`.
 */
import { App } from 'aws-cdk-lib';
import { acknowledgeNagFindings, addNagChecks } from './nag';
import { addStacks } from './stacks';

const app = new App();
// cdk-nag's AWS Solutions checks run on every synth: a finding nobody has acknowledged fails it.
addNagChecks(app);
acknowledgeNagFindings(addStacks(app));
