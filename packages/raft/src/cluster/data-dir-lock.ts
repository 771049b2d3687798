import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataDirLockedError } from './errors';

interface LockOwner {
  readonly pid: number;
  /** The owner's start time in clock ticks since boot (/proc/<pid>/stat field 22), against pid reuse. */
  readonly started: string;
}

/** Start time of a live process, or undefined if there is no such process. */
function processStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the command name (which may contain spaces) start after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/**
 * Keeps a second process from opening the same data directory (two nodes on one log would corrupt it).
 * The lock file names the owning process; a lock left by a process that has died (kill -9) is taken over.
 */
export class DataDirLock {
  private released = false;

  private constructor(private readonly file: string) {}

  static acquire(dir: string): DataDirLock {
    const file = path.join(dir, 'LOCK');
    const me: LockOwner = { pid: process.pid, started: processStart(process.pid) ?? '' };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = fs.openSync(file, 'wx', 0o644);
        fs.writeSync(fd, JSON.stringify(me));
        fs.closeSync(fd);
        return new DataDirLock(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      let owner: LockOwner | undefined;
      try {
        owner = JSON.parse(fs.readFileSync(file, 'utf8')) as LockOwner;
      } catch {
        owner = undefined; // torn by a crash while being written: nobody holds it
      }
      if (owner && owner.pid !== process.pid && processStart(owner.pid) === owner.started) {
        throw new DataDirLockedError(dir, owner.pid);
      }
      if (owner?.pid === process.pid) throw new DataDirLockedError(dir, owner.pid);
      fs.rmSync(file, { force: true }); // stale: its process is gone
    }
    throw new DataDirLockedError(dir, 0);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    fs.rmSync(this.file, { force: true });
  }
}
