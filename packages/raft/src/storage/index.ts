export type { LogReader, RaftStorage } from './types';
export { LogStore } from './log-store';
export type { LogStoreOptions } from './log-store';
export type { StorageLogger } from './recovery';
export { SnapshotStore, SnapshotWriter, SnapshotReader } from './snapshot-store';
export type { SnapshotStoreOptions } from './snapshot-store';
export { nodeStorageFs } from './fs';
export type { StorageFs } from './fs';
export {
  StorageError,
  LogCorruptionError,
  LogMissingSegmentError,
  LogGapError,
  StorageFatalError,
  StorageUsageError,
  StorageClosedError,
  SnapshotFileError,
} from './errors';
