export * from './endpoint-service';
export * from './provider';
export * from './waiter-state-machine';
export type { CloudProvider } from '../lambda/model/provider';
