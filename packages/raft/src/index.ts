export * from './core/types';
export * from './core/messages';
export * from './core/errors';
export * from './core/raft';
export * from './core/rand';
export * from './core/mutations';
export * from './core/bootstrap';
export { encodeConfChange, decodeConfChange, applyConfChange, quorumSize } from './core/confchange';
export type { LogReader, RaftStorage } from './storage/types';
