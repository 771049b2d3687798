export * from './errors';
export * from './entries';
