import * as fs from 'node:fs';
import type { Index } from '../core/types';

/**
 * The bytes of a state machine snapshot, read in order as chunks, so a large database is streamed and never
 * held in memory whole.
 */
export interface SnapshotPayload {
  /** Total number of bytes. */
  readonly size: number;
  /** Small application metadata that travels in the snapshot's header (e.g. the member book). */
  readonly context: Uint8Array;
  /** The bytes, in order, in chunks of at most `chunkBytes`. */
  chunks(chunkBytes: number): AsyncIterable<Uint8Array>;
  /** The whole payload when it is in memory (the simulator and small tests use this). */
  readonly bytes?: Uint8Array;
  /** Releases what the payload holds (a read lock on the database, a temp file). Idempotent. */
  close(): void;
}

/** A snapshot the state machine opened for sending: its bytes reflect every entry up to `index`. */
export interface OutgoingSnapshot extends SnapshotPayload {
  readonly index: Index;
}

/** A snapshot received complete and checksummed; `path` names its file when it was spooled to disk. */
export interface ReceivedSnapshot extends SnapshotPayload {
  readonly path: string | undefined;
}

const empty = new Uint8Array(0);

/** A payload held in memory. */
export function bytesSnapshot(bytes: Uint8Array, context: Uint8Array = empty): ReceivedSnapshot {
  return {
    size: bytes.length,
    context,
    bytes,
    path: undefined,
    async *chunks(chunkBytes: number) {
      for (let off = 0; off < bytes.length; off += chunkBytes) {
        yield bytes.subarray(off, Math.min(bytes.length, off + chunkBytes));
        await Promise.resolve();
      }
    },
    close() {
      // nothing held
    },
  };
}

/** A payload that is a file (a received snapshot spooled to disk); close() deletes the file. */
export function fileSnapshot(path: string, size: number, context: Uint8Array): ReceivedSnapshot {
  let closed = false;
  return {
    size,
    context,
    path,
    async *chunks(chunkBytes: number) {
      const fh = await fs.promises.open(path, 'r');
      try {
        const buf = Buffer.allocUnsafe(chunkBytes);
        for (let off = 0; off < size;) {
          const { bytesRead } = await fh.read(buf, 0, Math.min(chunkBytes, size - off), off);
          if (bytesRead === 0) throw new Error(`${path} ends at ${off} of ${size} bytes`);
          yield Buffer.from(buf.subarray(0, bytesRead));
          off += bytesRead;
        }
      } finally {
        await fh.close();
      }
    },
    close() {
      if (closed) return;
      closed = true;
      fs.rmSync(path, { force: true });
    },
  };
}

/** Reads a whole payload into memory (for small snapshots and tests). */
export async function readAll(p: SnapshotPayload, chunkBytes = 1 << 20): Promise<Uint8Array> {
  if (p.bytes) return p.bytes;
  const out = new Uint8Array(p.size);
  let off = 0;
  for await (const c of p.chunks(chunkBytes)) {
    out.set(c, off);
    off += c.length;
  }
  if (off !== p.size) throw new Error(`snapshot payload ended at ${off} of ${p.size} bytes`);
  return out;
}
