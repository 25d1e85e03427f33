export * from './credentials-provider';
export * from './secret-format';
export * from '../model/credentials-secret';
