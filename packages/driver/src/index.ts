export { startNode, Node } from './node';
export type { NodeOptions, OpenOptions } from './node';
export { Database, PreparedStatement, Transaction } from './database';
export type { Consistency, LocalReader, Params, ReadOptions, Row, RunResult } from './database';
export * from './errors';
