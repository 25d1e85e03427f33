export * from './endpoint-service';
export * from './private-endpoint';
export * from './private-link';
export * from './provider';
export * from './service-catalog';
export * from './waiter-state-machine';
export type { CloudProvider } from '../lambda/model/provider';
export * from './handler-asset';
