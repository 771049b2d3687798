import * as fs from 'node:fs';

/**
 * The file operations the storage performs. Production uses {@link nodeStorageFs}; tests wrap it to inject
 * failures (EIO, ENOSPC) into any single call.
 */
export interface StorageFs {
  readonly openSync: (path: string, flags: string) => number;
  readonly closeSync: (fd: number) => void;
  readonly readSync: (fd: number, buffer: Uint8Array, offset: number, length: number, position: number) => number;
  readonly writeSync: (fd: number, buffer: Uint8Array, offset: number, length: number, position: number) => number;
  readonly fstatSizeSync: (fd: number) => number;
  readonly fsyncSync: (fd: number) => void;
  readonly readdirSync: (dir: string) => string[];
  readonly mkdirSync: (dir: string) => void;
  readonly unlinkSync: (path: string) => void;
  readonly renameSync: (from: string, to: string) => void;
  /** Writes the whole buffer at `position`. */
  readonly write: (fd: number, buffer: Uint8Array, position: number) => Promise<void>;
  /** Writes the buffers one after another from `position`, all of them (one pwritev, not a copy into one). */
  readonly writev: (fd: number, buffers: readonly Uint8Array[], position: number) => Promise<void>;
  readonly read: (fd: number, buffer: Uint8Array, offset: number, length: number, position: number) => Promise<number>;
  readonly fdatasync: (fd: number) => Promise<void>;
  readonly fsync: (fd: number) => Promise<void>;
  readonly open: (path: string, flags: string) => Promise<number>;
  readonly close: (fd: number) => Promise<void>;
  readonly rename: (from: string, to: string) => Promise<void>;
  readonly unlink: (path: string) => Promise<void>;
}

function writeAll(fd: number, buffer: Uint8Array, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (done: number): void => {
      if (done === buffer.length) {
        resolve();
        return;
      }
      fs.write(fd, buffer, done, buffer.length - done, position + done, (err, n) => {
        if (err) reject(err);
        else step(done + n);
      });
    };
    step(0);
  });
}

function writevAll(fd: number, buffers: readonly Uint8Array[], position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (rest: readonly Uint8Array[], at: number): void => {
      if (rest.length === 0) {
        resolve();
        return;
      }
      fs.writev(fd, rest as Uint8Array[], at, (err, n) => {
        if (err) {
          reject(err);
          return;
        }
        // a short write: skip what went out, resume inside the buffer it stopped in
        let left = n;
        let k = 0;
        while (k < rest.length && left >= (rest[k]?.length ?? 0)) left -= rest[k++]?.length ?? 0;
        const next = rest.slice(k);
        if (left > 0 && next[0]) next[0] = next[0].subarray(left);
        step(next, at + n);
      });
    };
    step(buffers, position);
  });
}

function callback(run: (cb: (err: NodeJS.ErrnoException | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    run((err) => {
      if (err) reject(err);
      else resolve();
    });
  });
}

/** The real file system (node:fs). The asynchronous calls run on the libuv thread pool. */
export const nodeStorageFs: StorageFs = {
  openSync: (path, flags) => fs.openSync(path, flags),
  closeSync: (fd) => {
    fs.closeSync(fd);
  },
  readSync: (fd, buffer, offset, length, position) => fs.readSync(fd, buffer, offset, length, position),
  writeSync: (fd, buffer, offset, length, position) => fs.writeSync(fd, buffer, offset, length, position),
  fstatSizeSync: (fd) => fs.fstatSync(fd).size,
  fsyncSync: (fd) => {
    fs.fsyncSync(fd);
  },
  readdirSync: (dir) => fs.readdirSync(dir),
  mkdirSync: (dir) => {
    fs.mkdirSync(dir, { recursive: true });
  },
  unlinkSync: (path) => {
    fs.unlinkSync(path);
  },
  renameSync: (from, to) => {
    fs.renameSync(from, to);
  },
  write: writeAll,
  writev: writevAll,
  read: (fd, buffer, offset, length, position) =>
    new Promise((resolve, reject) => {
      fs.read(fd, buffer, offset, length, position, (err, n) => {
        if (err) reject(err);
        else resolve(n);
      });
    }),
  fdatasync: (fd) =>
    callback((cb) => {
      fs.fdatasync(fd, cb);
    }),
  fsync: (fd) =>
    callback((cb) => {
      fs.fsync(fd, cb);
    }),
  open: (path, flags) =>
    new Promise((resolve, reject) => {
      fs.open(path, flags, (err, fd) => {
        if (err) reject(err);
        else resolve(fd);
      });
    }),
  close: (fd) =>
    callback((cb) => {
      fs.close(fd, cb);
    }),
  rename: (from, to) =>
    callback((cb) => {
      fs.rename(from, to, cb);
    }),
  unlink: (path) =>
    callback((cb) => {
      fs.unlink(path, cb);
    }),
};

/** Makes a rename, creation or deletion in `dir` durable (the entry lives in the directory's own data). */
export async function syncDir(fsys: StorageFs, dir: string): Promise<void> {
  const fd = await fsys.open(dir, 'r');
  try {
    await fsys.fsync(fd);
  } finally {
    await fsys.close(fd);
  }
}

export function syncDirSync(fsys: StorageFs, dir: string): void {
  const fd = fsys.openSync(dir, 'r');
  try {
    fsys.fsyncSync(fd);
  } finally {
    fsys.closeSync(fd);
  }
}
