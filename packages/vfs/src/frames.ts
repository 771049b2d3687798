/** One page image of a transaction. */
export interface PageImage {
  pgno: number;
  data: Uint8Array;
}

/** One committed SQLite transaction: its page images and the database size after it. */
export interface FrameSet {
  pageSize: number;
  /** Database size in pages after the commit. */
  dbSize: number;
  pages: readonly PageImage[];
}

/** The same, with the pages back to back in one buffer (the addon's native form). */
export interface PackedFrames {
  pageSize: number;
  dbSize: number;
  pgnos: Uint32Array;
  /** pgnos.length * pageSize bytes. */
  data: Uint8Array;
}

export function packFrames(frames: FrameSet): PackedFrames {
  const { pageSize, dbSize, pages } = frames;
  const pgnos = new Uint32Array(pages.length);
  const data = new Uint8Array(pages.length * pageSize);
  pages.forEach((p, i) => {
    if (p.data.length !== pageSize) throw new RangeError(`page ${p.pgno} is ${p.data.length} bytes, not ${pageSize}`);
    pgnos[i] = p.pgno;
    data.set(p.data, i * pageSize);
  });
  return { pageSize, dbSize, pgnos, data };
}

/** Views into the packed buffer; nothing is copied. */
export function unpackFrames(packed: PackedFrames): FrameSet {
  const { pageSize, dbSize, pgnos, data } = packed;
  const pages = Array.from(pgnos, (pgno, i) => ({ pgno, data: data.subarray(i * pageSize, (i + 1) * pageSize) }));
  return { pageSize, dbSize, pages };
}

export function isPacked(frames: FrameSet | PackedFrames): frames is PackedFrames {
  return 'pgnos' in frames;
}
