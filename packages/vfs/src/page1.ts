import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { DatabaseSetupError } from './errors';
import { loadAddon } from './native';

const images = new Map<number, Buffer>();

export function isValidPageSize(pageSize: number): boolean {
  return Number.isInteger(pageSize) && pageSize >= 512 && pageSize <= 65536 && (pageSize & (pageSize - 1)) === 0;
}

/**
 * The page-1 image of a new, empty WAL-mode database with the given page size, as this
 * SQLite build writes it. Built once per page size; every replica starts from these bytes.
 */
export function emptyDatabaseImage(pageSize: number): Buffer {
  if (!isValidPageSize(pageSize)) throw new RangeError(`invalid page size ${pageSize}`);
  const cached = images.get(pageSize);
  if (cached !== undefined) return Buffer.from(cached);
  loadAddon();
  // a private scratch file no other connection knows about, so reading it with fs is safe
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walraft-page1-'));
  try {
    const file = path.join(dir, 'empty.db');
    const db = new Database(file);
    try {
      db.pragma(`page_size = ${pageSize}`);
      // on an empty database this writes page 1 straight into the file
      db.pragma('journal_mode = WAL');
    } finally {
      db.close();
    }
    const image = fs.readFileSync(file);
    checkImage(image);
    images.set(pageSize, image);
    return Buffer.from(image);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Page size, or throws if the bytes are not a one-page WAL-mode database image. */
function checkImage(image: Uint8Array): number {
  const header = Buffer.from(image.subarray(0, 16)).toString('latin1');
  if (header !== 'SQLite format 3\0') throw new DatabaseSetupError('not a SQLite database image');
  const raw = ((image[16] ?? 0) << 8) | (image[17] ?? 0);
  const pageSize = raw === 1 ? 65536 : raw;
  if (!isValidPageSize(pageSize) || image.length !== pageSize) {
    throw new DatabaseSetupError(`the image must be exactly one page (page size ${pageSize}, ${image.length} bytes)`);
  }
  if (image[18] !== 2 || image[19] !== 2) throw new DatabaseSetupError('the image is not in WAL mode');
  return pageSize;
}

/**
 * Creates a database file from a page-1 image (see emptyDatabaseImage), durably: written to a
 * temporary file, fsynced, linked into place (never over an existing file), directory fsynced.
 */
export function createDatabaseFile(file: string, image: Uint8Array): void {
  checkImage(image);
  if (fs.existsSync(`${file}-wal`)) throw new DatabaseSetupError(`${file}-wal already exists`);
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.create`);
  const fd = fs.openSync(tmp, 'wx');
  try {
    fs.writeSync(fd, image);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(tmp, file); // fails with EEXIST instead of replacing a database
  } catch (err) {
    throw new DatabaseSetupError(`cannot create ${file}`, { cause: err });
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  const dfd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(dfd);
  } finally {
    fs.closeSync(dfd);
  }
}
