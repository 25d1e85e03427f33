export { type Clock, SystemClock, VirtualClock } from './clock';
export type { ApiKey, Role, ServiceAccount } from './auth';
export type { EndpointOutcome, Fault, FaultInjector, FaultRule, Operation, ServiceOutcome } from './faults';
export { DEFAULT_TIMINGS, type EmulatorTimings } from './state';
export {
  type AtlasEmulator,
  DEFAULT_API_KEY,
  DEFAULT_PROJECT_ID,
  DEFAULT_SERVICE_ACCOUNT,
  type EmulatorCredentials,
  type EmulatorOptions,
  type RecordedRequest,
  startAtlasEmulator,
} from './server';
