import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Entry, Index, SnapshotMeta } from '../core/types';
import type { OutgoingSnapshot, ReceivedSnapshot } from '../node/snapshot';
import { bytesSnapshot, readAll } from '../node/snapshot';
import type { StateMachine } from '../node/types';
import { writeFileAtomicSync } from '../cluster/atomic-file';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A command of the test KV store. */
export type KvCommand = { readonly op: 'put'; readonly key: string; readonly value: string | Uint8Array };

/** Binary form of a put: [u16 key length][key utf8][value bytes] (cheap to encode and apply). */
export function encodeKvCommand(c: KvCommand): Uint8Array {
  const key = enc.encode(c.key);
  const value = typeof c.value === 'string' ? enc.encode(c.value) : c.value;
  const out = new Uint8Array(2 + key.length + value.length);
  new DataView(out.buffer).setUint16(0, key.length, false);
  out.set(key, 2);
  out.set(value, 2 + key.length);
  return out;
}

interface KvFile {
  readonly index: Index;
  readonly entries: [string, string][];
}

/**
 * A small durable key-value state machine for cluster tests: the map lives in memory and is written to
 * `kv.json` (atomically, with the index it reflects) at every checkpoint; after a restart the log after
 * that index is replayed. Every key also keeps its write count, so tests can spot an entry applied twice.
 */
export class KvStateMachine implements StateMachine {
  private readonly file: string;
  private readonly map = new Map<string, Uint8Array>();
  private applied: Index = 0;

  constructor(dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, 'kv.json');
    if (fs.existsSync(this.file)) this.load(fs.readFileSync(this.file));
  }

  get(key: string): string | undefined {
    const v = this.map.get(key);
    return v === undefined ? undefined : dec.decode(v);
  }

  entries(): [string, string][] {
    return [...this.map]
      .map(([k, v]): [string, string] => [k, dec.decode(v)])
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  get size(): number {
    return this.map.size;
  }

  appliedIndex(): Index {
    return this.applied;
  }

  apply(entry: Entry): unknown {
    const d = entry.data;
    if (d.length < 2) throw new Error(`malformed KV command at index ${entry.index}`);
    const keyLength = (d[0] ?? 0) * 256 + (d[1] ?? 0);
    const key = dec.decode(d.subarray(2, 2 + keyLength));
    this.map.set(key, d.slice(2 + keyLength));
    this.applied = entry.index;
    return entry.index;
  }

  applyConfChange(entry: Entry): void {
    this.applied = Math.max(this.applied, entry.index);
  }

  checkpoint(): Promise<Index> {
    const index = this.applied;
    writeFileAtomicSync(this.file, this.serialize());
    return Promise.resolve(index);
  }

  openSnapshot(): Promise<OutgoingSnapshot> {
    return Promise.resolve({ ...bytesSnapshot(this.serialize()), index: this.applied });
  }

  async restore(meta: SnapshotMeta, snapshot: ReceivedSnapshot): Promise<void> {
    const data = await readAll(snapshot);
    const file = this.load(data);
    if (file.index !== meta.index) throw new Error(`snapshot data at ${file.index}, metadata says ${meta.index}`);
    writeFileAtomicSync(this.file, data);
  }

  private serialize(): Uint8Array {
    const file: KvFile = { index: this.applied, entries: this.entries() };
    return enc.encode(JSON.stringify(file));
  }

  private load(bytes: Uint8Array): KvFile {
    const file = JSON.parse(dec.decode(bytes)) as KvFile;
    this.map.clear();
    for (const [k, v] of file.entries) this.map.set(k, enc.encode(v));
    this.applied = file.index;
    return file;
  }
}
