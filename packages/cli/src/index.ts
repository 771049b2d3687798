export { main } from './main';
export { splitStatements } from './sql-split';
