#!/usr/bin/env node
/**
 * This repository's CDK app (`npx cdk ls`, `npx cdk deploy AtlasPrivateEndpointProvider`): the provider stack,
 * which exports its ServiceToken, and an example PrivateLink stack. Context options: see `stacks.ts`.
 */
import { App } from 'aws-cdk-lib';
import { addStacks } from './stacks';

addStacks(new App());
