import type { Entry, Index, SnapshotMeta } from '../core/types';
import type { StateMachine } from '../node/types';
import type { DiskAccess } from './disk';
import type { OutgoingSnapshot, ReceivedSnapshot } from '../node/snapshot';
import { bytesSnapshot } from '../node/snapshot';

export type KvCommand =
  | { readonly op: 'put'; readonly key: string; readonly value: string }
  | { readonly op: 'cas'; readonly key: string; readonly expected: string | null; readonly value: string };

const enc = new TextEncoder();
const dec = new TextDecoder();

export function encodeCommand(c: KvCommand): Uint8Array {
  return enc.encode(JSON.stringify(c));
}

export function decodeCommand(data: Uint8Array): KvCommand {
  return JSON.parse(dec.decode(data)) as KvCommand;
}

/** FNV-1a over a string, for cheap state digests. */
export function fnv1a(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

interface Checkpoint {
  readonly index: Index;
  readonly kv: [string, string][];
}

/**
 * The simulator's replicated key-value store. Its durable state is a checkpoint file on the node's SimDisk,
 * so a crash loses what was applied since the last checkpoint and the log replays it.
 */
export class KvStateMachine implements StateMachine {
  private readonly kv = new Map<string, string>();
  private applied: Index = 0;

  constructor(
    private readonly disk: DiskAccess,
    private readonly onApply: (index: Index, digest: number) => void,
  ) {
    const cp = disk.image().smCheckpoint;
    if (cp) {
      const parsed = JSON.parse(dec.decode(cp)) as Checkpoint;
      for (const [k, v] of parsed.kv) this.kv.set(k, v);
      this.applied = parsed.index;
    }
  }

  appliedIndex(): Index {
    return this.applied;
  }

  get(key: string): string | null {
    return this.kv.get(key) ?? null;
  }

  apply(entry: Entry): unknown {
    const c = decodeCommand(entry.data);
    let result: unknown;
    if (c.op === 'put') {
      this.kv.set(c.key, c.value);
      result = true;
    } else {
      const cur = this.kv.get(c.key) ?? null;
      result = cur === c.expected;
      if (result) this.kv.set(c.key, c.value);
    }
    this.applied = entry.index;
    this.onApply(entry.index, this.digest());
    return result;
  }

  applyConfChange(entry: Entry): void {
    this.applied = Math.max(this.applied, entry.index);
  }

  checkpoint(): Promise<Index> {
    const index = this.applied;
    this.disk.write({ kind: 'smCheckpoint', data: this.serialize() });
    return this.disk.sync().then(() => index);
  }

  openSnapshot(): Promise<OutgoingSnapshot> {
    return Promise.resolve({ ...bytesSnapshot(this.serialize()), index: this.applied });
  }

  restore(meta: SnapshotMeta, snapshot: ReceivedSnapshot): Promise<void> {
    const data = snapshot.bytes;
    if (!data) throw new Error('the simulator keeps snapshots in memory');
    const parsed = JSON.parse(dec.decode(data)) as Checkpoint;
    if (parsed.index !== meta.index) throw new Error(`snapshot data at ${parsed.index}, meta says ${meta.index}`);
    this.kv.clear();
    for (const [k, v] of parsed.kv) this.kv.set(k, v);
    this.applied = meta.index;
    this.onApply(meta.index, this.digest());
    this.disk.write({ kind: 'smCheckpoint', data });
    return this.disk.sync();
  }

  digest(): number {
    let h = 0x811c9dc5;
    for (const k of [...this.kv.keys()].sort()) h = fnv1a(`${k}=${this.kv.get(k) ?? ''};`, h);
    return h;
  }

  private serialize(): Uint8Array {
    const cp: Checkpoint = { index: this.applied, kv: [...this.kv.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)) };
    return enc.encode(JSON.stringify(cp));
  }
}
