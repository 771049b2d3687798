import { InvalidDatabaseNameError } from './errors';

const valid = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
const reserved = /-(wal|shm|journal)$/i;

/** A database name is also its file name: checked so it can never escape the data directory. */
export function checkDatabaseName(name: string): string {
  if (!valid.test(name) || reserved.test(name)) throw new InvalidDatabaseNameError(name);
  return name;
}

export function isDatabaseName(name: string): boolean {
  return valid.test(name) && !reserved.test(name);
}
