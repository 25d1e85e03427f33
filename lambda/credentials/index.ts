export * from './credentials-store';
export * from './secret-format';
export * from '../model/credentials-secret';
