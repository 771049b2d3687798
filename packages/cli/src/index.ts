export { main } from './main';
export { splitStatements } from './sql-split';
export type { NodeExit, NodeHttpStatus, NodeProcessOptions } from './testing/node-process';
export { NodeProcess, runWalraft, walraftBin } from './testing/node-process';
