export * from '../model/base-url';
export * from './client';
export * from './errors';
export * from './models';
export type { RetryPolicy } from './retry';
