/**
 * The local Atlas emulator: private endpoint services and interface endpoints of the Atlas Administration API v2,
 * and the cluster read with its private-endpoint connection strings.
 */
export { type Clock, SystemClock, VirtualClock } from './clock';
export { type ClusterView, MAX_PRIVATE_ENDPOINT_ENTRIES } from './clusters';
export {
  type ApiKeyCredential,
  CLUSTER_TYPES,
  DEFAULT_API_KEY,
  DEFAULT_GCP_SERVICE_ATTACHMENT_COUNT,
  DEFAULT_PROJECT_ID,
  DEFAULT_SHAPES,
  GCP_SERVICE_ATTACHMENT_COUNTS,
  type ResponseShapes,
  DEFAULT_SERVICE_ACCOUNT,
  DEFAULT_TIMINGS,
  type EmulatorCluster,
  type EmulatorCredentials,
  type EmulatorTimingOverrides,
  type EmulatorTimings,
  type ProviderTimings,
  type Role,
  type ServiceAccountCredential,
} from './config';
export {
  DEFAULT_ENDPOINT_REJECTION,
  DEFAULT_SERVICE_FAILURE,
  type EndpointOutcome,
  type Fault,
  type FaultInjector,
  type FaultRule,
  type ServiceOutcome,
} from './faults';
export { ATLAS_PRIVATE_ENDPOINT_RATE_LIMIT, type RateLimitSettings } from './rate-limit';
export { type Operation, OPERATIONS } from './routes';
export { type AtlasEmulator, type EmulatorOptions, type RecordedRequest, startAtlasEmulator } from './server';
export type { ClusterState, EndpointService, InterfaceEndpoint } from '../../lambda/atlas/models';
export type { CloudProvider } from '../../lambda/model/provider';
