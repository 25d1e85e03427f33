export * from './endpoint-service';
export * from './errors';
// The bundling functions are the build's tools, not the package's: only what an app may use.
export { PROVIDER_HANDLERS, ProviderHandler, providerHandlerCode, providerHandlerDirectory } from './handler-asset';
export * from './private-endpoint';
export * from './private-link';
export * from './provider';
export * from './provider-stack';
export * from './resource-props';
export * from './service-catalog';
export * from './waiter-state-machine';
