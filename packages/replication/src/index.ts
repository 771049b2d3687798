export * from './errors';
export * from './entries';
export * from './tokens';
export { checkDatabaseName } from './names';
export { ReplicatedSqlite } from './replicated-sqlite';
export type { RaftHandle, ReplicatedSqliteOptions } from './replicated-sqlite';
export { DatabaseReplica, InteractiveTransaction } from './database-replica';
export type { Statement, StatementResult, SqlParams, GroupRequest } from './writer/protocol';
