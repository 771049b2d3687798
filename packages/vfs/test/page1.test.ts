import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createDatabaseFile, DatabaseSetupError, emptyDatabaseImage, openDatabase, registerReplicated } from '../src';
import { tempDir } from './helpers';

const sizes = [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];
const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

describe('database creation from a page-1 image', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('page1');
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the image is one WAL-mode page, and identical when another process builds it', () => {
    const here = sizes.map((s) => {
      const image = emptyDatabaseImage(s);
      expect(image.length).toBe(s);
      expect(image.subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');
      expect([image[18], image[19]]).toEqual([2, 2]);
      return sha(image);
    });
    const script = `const v = require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'index.js'))});
      const c = require('node:crypto');
      console.log(JSON.stringify(${JSON.stringify(sizes)}.map((s) => c.createHash('sha256').update(v.emptyDatabaseImage(s)).digest('hex'))));`;
    const there = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as string[];
    expect(there).toEqual(here);
  });

  test.each(sizes)('a database created from the %i-byte image opens replicated and writable', (size) => {
    const file = path.join(dir, `db-${size}.db`);
    createDatabaseFile(file, emptyDatabaseImage(size));
    expect(fs.readFileSync(file).equals(emptyDatabaseImage(size))).toBe(true);
    registerReplicated(file);
    const db = openDatabase(file, { readonly: true });
    try {
      expect(db.pragma('page_size', { simple: true })).toBe(size);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.prepare('SELECT count(*) AS n FROM sqlite_schema').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  test('creation never replaces a file and rejects bad images', () => {
    const file = path.join(dir, 'db.db');
    createDatabaseFile(file, emptyDatabaseImage(4096));
    expect(() => {
      createDatabaseFile(file, emptyDatabaseImage(4096));
    }).toThrow(DatabaseSetupError);
    expect(() => {
      createDatabaseFile(path.join(dir, 'x.db'), Buffer.alloc(4096));
    }).toThrow(/not a SQLite database/);
    expect(() => {
      createDatabaseFile(path.join(dir, 'x.db'), emptyDatabaseImage(4096).subarray(0, 2048));
    }).toThrow(/exactly one page/);
    expect(() => emptyDatabaseImage(3000)).toThrow(RangeError);
    expect(fs.readdirSync(dir)).toEqual(['db.db']);
  });
});
