import type { Message } from '../../src/core/messages';
import { EntryType } from '../../src/core/types';
import { encodeMessageBatch } from '../../src/transport/batch-encoder';
import { decodeMessage, encodeMessage } from '../../src/transport/codec';
import { raftProto } from '../../src/transport/proto';

const enc = new TextEncoder();
const big = Number.MAX_SAFE_INTEGER;

/** Comparable form: byte arrays as plain arrays (Buffers and Uint8Arrays compare equal). */
function norm(v: unknown): unknown {
  if (v instanceof Uint8Array) return [...v];
  if (Array.isArray(v)) return v.map(norm);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]));
  return v;
}

const messages: Message[] = [
  {
    type: 'App',
    from: 1,
    to: 2,
    term: 3,
    prevIndex: 10,
    prevTerm: 2,
    commit: 9,
    entries: [
      { index: 11, term: 3, type: EntryType.Normal, data: enc.encode('x'.repeat(1024)) },
      { index: 12, term: 3, type: EntryType.ConfChange, data: enc.encode('cc') },
      { index: 13, term: 3, type: EntryType.Noop, data: new Uint8Array(0) },
    ],
  },
  { type: 'App', from: 1, to: 2, term: 0, prevIndex: 0, prevTerm: 0, commit: 0, entries: [] },
  {
    type: 'App',
    from: big,
    to: 2 ** 31,
    term: 2 ** 32 + 1,
    prevIndex: big - 1,
    prevTerm: 127,
    commit: 128,
    entries: [],
  },
  { type: 'AppResp', from: 2, to: 1, term: 3, index: 13, reject: true, hintIndex: 7, hintTerm: 2 },
  { type: 'AppResp', from: 2, to: 1, term: 3, index: 0, reject: false, hintIndex: 0, hintTerm: 0 },
  { type: 'Vote', from: 1, to: 2, term: 4, lastIndex: 13, lastTerm: 3, transfer: true },
  { type: 'PreVote', from: 1, to: 2, term: 5, lastIndex: 2 ** 40, lastTerm: 3, transfer: false },
  { type: 'VoteResp', from: 2, to: 1, term: 4, reject: false },
  { type: 'PreVoteResp', from: 2, to: 1, term: 5, reject: true },
  { type: 'Heartbeat', from: 1, to: 2, term: 3, commit: 12, readSeq: 7 },
  { type: 'HeartbeatResp', from: 2, to: 1, term: 3, readSeq: 0 },
  { type: 'TimeoutNow', from: 1, to: 2, term: 3 },
  { type: 'ReadIndex', from: 2, to: 1, term: 3, ctx: enc.encode('ctx') },
  { type: 'ReadIndexResp', from: 1, to: 2, term: 3, index: 12, ctx: new Uint8Array(0), reject: true },
];

describe('the direct MessageBatch encoder', () => {
  const batchType = raftProto().MessageBatch;

  it('writes bytes protobufjs decodes to the same messages, every type and edge value', () => {
    const decoded = batchType.deserialize(encodeMessageBatch(messages));
    expect(norm(decoded.messages.map(decodeMessage))).toEqual(norm(messages));
  });

  it('decodes to exactly what the generic protobuf path produces', () => {
    for (const m of messages) {
      const direct = batchType.deserialize(encodeMessageBatch([m]));
      const generic = batchType.deserialize(batchType.serialize({ messages: [encodeMessage(m)] }));
      expect(norm(direct)).toEqual(norm(generic));
    }
  });

  it('encodes an empty batch as nothing, and a big one no larger than the generic path', () => {
    expect(encodeMessageBatch([]).length).toBe(0);
    const first = messages[0];
    if (first?.type !== 'App') throw new Error('expected an append');
    const many: Message = {
      ...first,
      entries: Array.from({ length: 256 }, (_, i) => ({
        index: 1000 + i,
        term: 3,
        type: EntryType.Normal,
        data: new Uint8Array(1060).fill(i),
      })),
    };
    const bytes = encodeMessageBatch([many, many]);
    // proto3: zero scalars (entry type Normal) are left out, where protobufjs writes them
    expect(bytes.length).toBeLessThanOrEqual(
      batchType.serialize({ messages: [encodeMessage(many), encodeMessage(many)] }).length,
    );
    expect(norm(batchType.deserialize(bytes).messages.map(decodeMessage))).toEqual(norm([many, many]));
  });

  it('refuses a snapshot message (snapshots have their own stream)', () => {
    const snap: Message = {
      type: 'Snap',
      from: 1,
      to: 2,
      term: 3,
      meta: { index: 5, term: 2, conf: { voters: [1, 2], learners: [] } },
    };
    expect(() => encodeMessageBatch([snap])).toThrow(/snapshot stream/);
  });
});
