export { startNode, Node } from './node';
export type { NodeOptions, OpenOptions, ClusterMember } from './node';
export type { WriteObserver } from './node-backend';
export { connect, Client } from './remote/client';
export type { ConnectOptions, ClientOpenOptions, MemberPageHash } from './remote/client';
export { Database, EmbeddedDatabase, PreparedStatement, Transaction } from './database';
export type { DatabaseOptions, LocalReader } from './database';
export type { Consistency, PageHash, Params, ReadOptions, Row, RunResult } from './types';
export * from './errors';
