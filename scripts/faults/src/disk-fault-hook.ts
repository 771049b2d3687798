// Preloaded into a node process by the `disk` nemesis (node --require …/disk-fault-hook.js). Each SIGUSR2
// toggles a storage fault: while it is on, every write and fsync the process makes through Node's fs module
// to a file (not to stdin/stdout/stderr) fails with ENOSPC (or EIO), as the Raft log and snapshot files would
// on a full or failing disk; and SQLite's writes to the node's databases (native code, through the addon's
// write-fault hook) fail with SQLITE_FULL (or SQLITE_IOERR_WRITE). Which of the two, and which error, the
// file `<data dir>.disk-fault` says when the fault is switched on (default: both, ENOSPC).
// the module object itself (an ES namespace import would be a read-only copy)
// eslint-disable-next-line @typescript-eslint/no-require-imports
import fs = require('node:fs');
import * as path from 'node:path';
import { injectWriteFault } from '@walraft/vfs';

let code: 'ENOSPC' | 'EIO' = 'ENOSPC';
/** Fail the Raft log (fs calls), SQLite (the addon's hook), or both. */
let target: 'log' | 'sqlite' | 'both' = 'both';
let failing = false;

function diskError(syscall: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(
    `${code}: ${code === 'EIO' ? 'i/o error' : 'no space left on device'}, ${syscall}`,
  );
  e.code = code;
  e.errno = code === 'EIO' ? -5 : -28;
  e.syscall = syscall;
  return e;
}

type AnyFn = (...args: unknown[]) => unknown;
const mutableFs = fs as unknown as Record<string, AnyFn>;

/** Wraps fs[name] so that it throws (sync) or calls back with (async) the disk error while failing. */
function wrap(name: string, isFileCall: (args: unknown[]) => boolean, async: boolean): void {
  const original = mutableFs[name];
  if (typeof original !== 'function') return;
  mutableFs[name] = function (this: unknown, ...args: unknown[]): unknown {
    if (failing && target !== 'sqlite' && isFileCall(args)) {
      const err = diskError(name.replace(/Sync$/, ''));
      if (!async) throw err;
      const cb = args[args.length - 1];
      if (typeof cb === 'function') {
        process.nextTick(() => {
          (cb as (e: Error) => void)(err);
        });
        return undefined;
      }
    }
    return original.apply(this, args);
  };
}

// a file descriptor above 2, or a path
const notStdio = (args: unknown[]): boolean => typeof args[0] !== 'number' || args[0] > 2;
for (const name of ['writeSync', 'writevSync', 'fsyncSync', 'fdatasyncSync', 'writeFileSync', 'appendFileSync']) {
  wrap(name, notStdio, false);
}
for (const name of ['write', 'writev', 'fsync', 'fdatasync', 'writeFile', 'appendFile']) wrap(name, notStdio, true);

function dataDir(): string | undefined {
  const i = process.argv.indexOf('--data');
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The fault to switch on, from `<data dir>.disk-fault` if present: e.g. `log ENOSPC`, `sqlite EIO`, `both`. */
function readControl(): void {
  const data = dataDir();
  let text = '';
  try {
    if (data !== undefined) text = fs.readFileSync(`${data}.disk-fault`, 'utf8');
  } catch {
    // no control file: both, ENOSPC
  }
  target = /\blog\b/.test(text) ? 'log' : /\bsqlite\b/.test(text) ? 'sqlite' : 'both';
  code = /\bEIO\b/.test(text) ? 'EIO' : 'ENOSPC';
}

/** The node's databases: `<--data>/sqlite/*` without the -wal/-shm files. */
function databaseFiles(): string[] {
  const data = dataDir();
  if (data === undefined) return [];
  const dir = path.join(data, 'sqlite');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => !f.endsWith('-wal') && !f.endsWith('-shm') && !f.startsWith('.'))
    .map((f) => path.join(dir, f));
}

process.on('SIGUSR2', () => {
  // the control file is read before the fault is on: the hook's own read must not fail
  if (!failing) readControl();
  failing = !failing;
  if (target !== 'log') {
    for (const file of databaseFiles()) {
      injectWriteFault(file, failing ? (code === 'EIO' ? 'io-error' : 'full') : undefined);
    }
  }
  process.stderr.write(
    `${JSON.stringify({ level: 40, time: Date.now(), msg: failing ? `disk fault on (${target}, ${code})` : 'disk fault off' })}\n`,
  );
});
