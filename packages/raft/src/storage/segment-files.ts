import * as path from 'node:path';
import type { StorageFs } from './fs';
import { syncDir } from './fs';

/** Segment files are named by a sequence number: 16 hex digits, `.wal`. */
const SEGMENT_NAME = /^([0-9a-f]{16})\.wal$/;
export const SPARE_SEGMENT_NAME = 'next-segment.spare';

export function segmentFileName(seq: number): string {
  return `${seq.toString(16).padStart(16, '0')}.wal`;
}

export function parseSegmentFileName(name: string): number | undefined {
  const m = SEGMENT_NAME.exec(name);
  return m?.[1] === undefined ? undefined : parseInt(m[1], 16);
}

const ZERO_CHUNK_BYTES = 1 << 20;

/**
 * Prepares the next segment file ahead of time: a zero-filled, fsynced file of the full segment size, so
 * appends to it never change its size and `fdatasync` has no metadata to write. At rotation the spare is renamed
 * to the segment's name (and the directory fsynced), and preparation of the following one starts.
 */
export class SegmentAllocator {
  private spare: Promise<number> | undefined;

  constructor(
    private readonly fs: StorageFs,
    private readonly dir: string,
    private readonly segmentBytes: number,
  ) {}

  private get sparePath(): string {
    return path.join(this.dir, SPARE_SEGMENT_NAME);
  }

  /** Starts preparing a spare if none is ready or under way. */
  prepare(): void {
    if (this.spare) return;
    const spare = this.createSpare();
    // The error surfaces when the spare is taken; until then it must not count as unhandled.
    spare.catch(() => undefined);
    this.spare = spare;
  }

  /** Turns the spare into segment `seq` and returns its open descriptor (read-write). */
  async take(seq: number): Promise<{ fd: number; path: string }> {
    this.prepare();
    const spare = this.spare;
    this.spare = undefined;
    const fd = await (spare as Promise<number>);
    const target = path.join(this.dir, segmentFileName(seq));
    await this.fs.rename(this.sparePath, target);
    await syncDir(this.fs, this.dir);
    this.prepare();
    return { fd, path: target };
  }

  /** Waits for a spare under way and releases it (the file stays for the next start to remove). */
  async close(): Promise<void> {
    const spare = this.spare;
    this.spare = undefined;
    if (!spare) return;
    try {
      await this.fs.close(await spare);
    } catch {
      // a failed spare was never used: nothing to release
    }
  }

  private async createSpare(): Promise<number> {
    const fd = await this.fs.open(this.sparePath, 'w+');
    try {
      const zeros = Buffer.alloc(Math.min(ZERO_CHUNK_BYTES, this.segmentBytes));
      for (let off = 0; off < this.segmentBytes; off += zeros.length) {
        await this.fs.write(fd, zeros.subarray(0, Math.min(zeros.length, this.segmentBytes - off)), off);
      }
      await this.fs.fsync(fd);
      return fd;
    } catch (err) {
      await this.fs.close(fd).catch(() => undefined);
      throw err;
    }
  }
}
