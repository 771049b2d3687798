export { ApplyConnection } from './apply';
export type { CheckpointMode, CheckpointResult, WalIndexInfo } from './apply';
export { openDatabase } from './database';
export type { OpenOptions } from './database';
export {
  AddonLoadError,
  ClosedError,
  DatabaseSetupError,
  gateFailureOf,
  InvalidSnapshotError,
  SQLITE_IOERR_NOT_COMMITTED,
  SQLITE_IOERR_OUTCOME_UNKNOWN,
  SqliteNativeError,
  SqliteVersionError,
  VfsError,
} from './errors';
export type { GateFailure } from './errors';
export { packFrames, unpackFrames } from './frames';
export type { FrameSet, PackedFrames, PageImage } from './frames';
export { CommitGate } from './gate';
export { enableInternalWrites, RESERVED_NAME_PREFIX, withInternalWrites, withManagedTransaction } from './internal';
export type { CapturedTransaction, CommitGateOptions, GateOutcome, GateStats, Verdict } from './gate';
export { addonPath, loadAddon, SUPPORTED_SQLITE } from './native';
export { createDatabaseFile, emptyDatabaseImage, isValidPageSize } from './page1';
export { SnapshotReader } from './snapshot';
export { injectWriteFault, isReplicated, registerReplicated, unregisterReplicated } from './replicated';
export type { WriteFault } from './replicated';
