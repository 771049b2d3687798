import * as fs from 'node:fs';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { crc32c } from '@node-rs/crc32';
import type { AppendMessage, Message, SnapshotMessage } from '../../src/core/messages';
import { EntryType } from '../../src/core/types';
import type { ReceivedSnapshot } from '../../src/node/snapshot';
import { bytesSnapshot, readAll } from '../../src/node/snapshot';
import { decodeMessage, encodeMessage } from '../../src/transport/codec';
import { MalformedMessageError } from '../../src/transport/errors';
import type { AdminService, TransportReceiver } from '../../src/transport/grpc-transport';
import { GrpcTransport } from '../../src/transport/grpc-transport';
import { callMetadata } from '../../src/transport/identity';
import { raftProto } from '../../src/transport/proto';

const enc = new TextEncoder();

/** Comparable form: keys sorted, byte arrays as plain arrays (Buffers and Uint8Arrays compare equal). */
function norm(v: unknown): unknown {
  if (v instanceof Uint8Array) return [...v];
  if (Array.isArray(v)) return v.map(norm);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, x]) => [k, norm(x)]),
    );
  }
  return v;
}

class Inbox implements TransportReceiver {
  readonly messages: Message[] = [];
  readonly snapshots: { m: Message; snap: ReceivedSnapshot }[] = [];
  readonly unreachable: number[] = [];
  readonly snapshotReports: { peer: number; ok: boolean }[] = [];
  receive(m: Message, snap?: ReceivedSnapshot): void {
    if (snap) this.snapshots.push({ m, snap });
    else this.messages.push(m);
  }
  reportUnreachable(peer: number): void {
    this.unreachable.push(peer);
  }
  reportSnapshot(peer: number, ok: boolean): void {
    this.snapshotReports.push({ peer, ok });
  }
}

const noAdmin: AdminService = {
  join: () => Promise.reject(new Error('unused')),
  removeNode: () => Promise.reject(new Error('unused')),
  transferLeadership: () => Promise.reject(new Error('unused')),
  status: () => ({}),
};

const open: GrpcTransport[] = [];
const closers: (() => void)[] = [];

async function transport(
  id: number,
  clusterId = 'c',
  extra: Partial<ConstructorParameters<typeof GrpcTransport>[0]> = {},
): Promise<{ t: GrpcTransport; inbox: Inbox; address: string }> {
  const t = new GrpcTransport({ id, clusterId, listenHost: '127.0.0.1', listenPort: 0, ...extra });
  open.push(t);
  const port = await t.listen();
  const inbox = new Inbox();
  t.attach(inbox, noAdmin);
  return { t, inbox, address: `127.0.0.1:${port}` };
}

afterEach(async () => {
  for (const c of closers.splice(0)) c();
  await Promise.all(open.splice(0).map((t) => t.close()));
});

async function until(what: string, cond: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const app = (from: number, to: number, n: number): AppendMessage => ({
  type: 'App',
  from,
  to,
  term: 3,
  prevIndex: 10,
  prevTerm: 2,
  commit: 9,
  entries: Array.from({ length: n }, (_, i) => ({
    index: 11 + i,
    term: 3,
    type: EntryType.Normal,
    data: enc.encode(`entry ${i}`),
  })),
});

describe('codec', () => {
  const all: Message[] = [
    app(1, 2, 3),
    { type: 'AppResp', from: 2, to: 1, term: 3, index: 13, reject: true, hintIndex: 7, hintTerm: 2 },
    { type: 'Vote', from: 1, to: 2, term: 4, lastIndex: 13, lastTerm: 3, transfer: true },
    { type: 'PreVote', from: 1, to: 2, term: 5, lastIndex: 13, lastTerm: 3, transfer: false },
    { type: 'VoteResp', from: 2, to: 1, term: 4, reject: false },
    { type: 'PreVoteResp', from: 2, to: 1, term: 5, reject: true },
    { type: 'Heartbeat', from: 1, to: 2, term: 3, commit: 12, readSeq: 7 },
    { type: 'HeartbeatResp', from: 2, to: 1, term: 3, readSeq: 7 },
    { type: 'TimeoutNow', from: 1, to: 2, term: 3 },
    { type: 'ReadIndex', from: 2, to: 1, term: 3, ctx: enc.encode('ctx') },
    { type: 'ReadIndexResp', from: 1, to: 2, term: 3, index: 12, ctx: enc.encode('ctx'), reject: false },
  ];

  it.each(all.map((m) => [m.type, m] as const))('round-trips %s through protobuf', (_t, m) => {
    const type = raftProto().RaftMessage;
    const wire = type.serialize(encodeMessage(m));
    const back = decodeMessage(type.deserialize(wire));
    expect(norm(back)).toEqual(norm(m));
  });

  it('refuses a message without a body, unsafe numbers and unknown entry types', () => {
    const type = raftProto().RaftMessage;
    expect(() => decodeMessage(type.deserialize(type.serialize({ from: 1, to: 2, term: 3 })))).toThrow(
      MalformedMessageError,
    );
    const huge = type.serialize({ from: 1, to: 2, term: '18446744073709551615', heartbeat: { commit: 1 } });
    expect(() => decodeMessage(type.deserialize(huge))).toThrow(/term out of range/);
    const bad = type.deserialize(type.serialize(encodeMessage(app(1, 2, 1))));
    const entry = bad.append?.entries[0];
    if (!entry) throw new Error('no entry');
    (entry as { type: string }).type = 'ENTRY_BOGUS';
    expect(() => decodeMessage(bad)).toThrow(/unknown entry type/);
  });
});

describe('GrpcTransport', () => {
  it('carries batches of messages on the stream, in order and intact', async () => {
    const a = await transport(1);
    const b = await transport(2);
    a.t.setPeer(2, b.address);
    const sent: Message[] = [];
    for (let i = 0; i < 50; i++) {
      const m = { ...app(1, 2, 1 + (i % 4)), commit: i };
      sent.push(m);
      a.t.send([m]);
    }
    await until('all delivered', () => b.inbox.messages.length === 50);
    expect(norm(b.inbox.messages)).toEqual(norm(sent));
  });

  it('advertises an 8 MiB HTTP/2 receive window per stream and per connection, not the 64 KiB default', async () => {
    const b = await transport(2);
    const session = http2.connect(`http://${b.address}`);
    try {
      const settings = await new Promise<http2.Settings>((resolve, reject) => {
        session.once('remoteSettings', resolve);
        session.once('error', reject);
      });
      expect(settings.initialWindowSize).toBe(8 * 1024 * 1024);
      // the connection window arrives as a WINDOW_UPDATE right after the settings
      await until('connection window raised', () => (session.state.remoteWindowSize ?? 0) >= 8 * 1024 * 1024);
    } finally {
      session.destroy();
    }
  });

  it.each([
    ['in memory', false],
    ['spooled to a file', true],
  ])('streams a snapshot in checksummed chunks with its context (%s)', async (_how, spool) => {
    const dir = spool ? fs.mkdtempSync(path.join(os.tmpdir(), 'walraft-snap-')) : undefined;
    if (dir) {
      closers.push(() => {
        fs.rmSync(dir, { recursive: true, force: true });
      });
    }
    const a = await transport(1, 'c', { snapshotChunkBytes: 64 * 1024 });
    const b = await transport(2, 'c', dir ? { snapshotDir: dir } : {});
    a.t.setPeer(2, b.address);
    const data = new Uint8Array(3 * 1024 * 1024 + 17);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    const snap: SnapshotMessage = {
      type: 'Snap',
      from: 1,
      to: 2,
      term: 4,
      meta: { index: 100, term: 3, conf: { voters: [1, 2, 3], learners: [4] } },
    };
    let closed = false;
    const payload = bytesSnapshot(data, enc.encode('book'));
    a.t.sendSnapshot(snap, {
      ...payload,
      close: () => {
        closed = true;
      },
    });
    await until('snapshot reported', () => a.inbox.snapshotReports.length === 1);
    expect(a.inbox.snapshotReports).toEqual([{ peer: 2, ok: true }]);
    expect(closed).toBe(true);
    expect(b.inbox.snapshots).toHaveLength(1);
    const got = b.inbox.snapshots[0];
    if (!got) throw new Error('no snapshot');
    expect(got.m).toEqual(snap);
    expect(Buffer.from(got.snap.context).toString()).toBe('book');
    expect(got.snap.path !== undefined).toBe(spool);
    expect(Buffer.from(await readAll(got.snap, 100_000)).equals(Buffer.from(data))).toBe(true);
    got.snap.close();
    if (dir) expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('refuses a snapshot chunk whose checksum does not match, and delivers nothing', async () => {
    const b = await transport(2);
    const client = new (raftProto().Raft)(b.address, grpc.credentials.createInsecure());
    closers.push(() => {
      client.close();
    });
    const status = await new Promise<grpc.ServiceError | null>((resolve) => {
      const call = client.InstallSnapshot(callMetadata('c', 1, 2), (err) => {
        resolve(err);
      });
      const data = Buffer.from('hello');
      call.write({
        header: { from: 1, to: 2, term: 1, meta: { index: 5, term: 1, conf: { voters: [1] } }, totalBytes: 5 },
        data,
        crc32c: crc32c(data) ^ 1,
      });
      call.end();
    });
    expect(status?.code).toBe(grpc.status.DATA_LOSS);
    expect(status?.details).toMatch(/checksum/);
    expect(b.inbox.snapshots).toEqual([]);
  });

  it('closes a stream that carries a message claiming another sender', async () => {
    const b = await transport(2);
    const client = new (raftProto().Raft)(b.address, grpc.credentials.createInsecure());
    closers.push(() => {
      client.close();
    });
    const status = await new Promise<grpc.ServiceError | null>((resolve) => {
      const call = client.Messages(callMetadata('c', 1, 2), (err) => {
        resolve(err);
      });
      call.write({ messages: [encodeMessage({ type: 'Heartbeat', from: 3, to: 2, term: 1, commit: 0, readSeq: 0 })] });
    });
    expect(status?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(b.inbox.messages).toEqual([]);
  });

  it('refuses nodes of another cluster on both sides', async () => {
    const a = await transport(1, 'cluster-a');
    const b = await transport(2, 'cluster-b');
    a.t.setPeer(2, b.address);
    b.t.setPeer(1, a.address);
    for (let i = 0; i < 10; i++) {
      a.t.send([{ type: 'Vote', from: 1, to: 2, term: 99, lastIndex: 1, lastTerm: 1, transfer: true }]);
      b.t.send([{ type: 'Vote', from: 2, to: 1, term: 99, lastIndex: 1, lastTerm: 1, transfer: true }]);
      await new Promise((r) => setTimeout(r, 30));
    }
    await until(
      'both report the peer unreachable',
      () => a.inbox.unreachable.length > 0 && b.inbox.unreachable.length > 0,
    );
    expect(a.inbox.messages).toEqual([]);
    expect(b.inbox.messages).toEqual([]);
  });

  it('refuses a connection meant for another node id', async () => {
    const a = await transport(1);
    const b = await transport(2);
    a.t.setPeer(3, b.address); // node 3's address is served by node 2
    for (let i = 0; i < 10; i++) {
      a.t.send([{ type: 'Heartbeat', from: 1, to: 3, term: 1, commit: 0, readSeq: 0 }]);
      await new Promise((r) => setTimeout(r, 30));
    }
    await until('unreachable', () => a.inbox.unreachable.includes(3));
    expect(b.inbox.messages).toEqual([]);
  });

  it('a message larger than the limit is refused and the peer reported unreachable', async () => {
    const a = await transport(1, 'c', { maxMessageBytes: 64 * 1024 });
    const b = await transport(2, 'c', { maxMessageBytes: 64 * 1024 });
    a.t.setPeer(2, b.address);
    const big = app(1, 2, 1);
    a.t.send([{ ...big, entries: [{ ...big.entries[0]!, data: new Uint8Array(200 * 1024) }] }]);
    await until('unreachable', () => a.inbox.unreachable.includes(2));
    expect(b.inbox.messages).toEqual([]);
    // the stream reopens and later messages get through
    await until(
      'delivery after reconnect',
      () => {
        a.t.send([app(1, 2, 1)]);
        return b.inbox.messages.length > 0;
      },
      10_000,
    );
  });

  it('bounds the send queue of a peer that does not read: drops and reports it unreachable', async () => {
    // a TCP listener that accepts and never answers: the HTTP/2 handshake never completes
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    closers.push(() => {
      for (const s of sockets) s.destroy();
      silent.close();
    });
    const port = (silent.address() as net.AddressInfo).port;
    const a = await transport(1, 'c', { maxQueuedMessages: 8 });
    a.t.setPeer(2, `127.0.0.1:${port}`);
    for (let i = 0; i < 200; i++) a.t.send([app(1, 2, 1)]);
    await until('unreachable', () => a.inbox.unreachable.includes(2));
  });
});
