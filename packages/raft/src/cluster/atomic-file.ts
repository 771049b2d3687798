import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Replaces `file` with `data` atomically and durably: write a temp file, fsync it, rename it over the
 * target, fsync the directory. A crash leaves either the old or the new content, never a mix.
 */
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  const temp = `${file}.tmp`;
  const fd = fs.openSync(temp, 'w', 0o644);
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
  const dirFd = fs.openSync(path.dirname(file), 'r');
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
}
