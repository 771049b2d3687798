import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The path SQLite will see for a database file: absolute, with symbolic links resolved
 * (unix's xFullPathname does the same), whether or not the file exists yet.
 */
export function canonicalPath(file: string): string {
  const abs = path.resolve(file);
  try {
    return fs.realpathSync(abs);
  } catch {
    return path.join(fs.realpathSync(path.dirname(abs)), path.basename(abs));
  }
}
