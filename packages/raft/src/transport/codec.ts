import type { Message } from '../core/messages';
import type { ConfState, Entry, SnapshotMeta } from '../core/types';
import { EntryType } from '../core/types';
import type { ConfState__Output } from '../gen/walraft/raft/v1/ConfState';
import type { Entry as ProtoEntry, Entry__Output } from '../gen/walraft/raft/v1/Entry';
import type { EntryType__Output } from '../gen/walraft/raft/v1/EntryType';
import type { RaftMessage, RaftMessage__Output } from '../gen/walraft/raft/v1/RaftMessage';
import type { SnapshotMeta as ProtoSnapshotMeta, SnapshotMeta__Output } from '../gen/walraft/raft/v1/SnapshotMeta';
import { MalformedMessageError } from './errors';

// Conversion between the core's messages and their protobuf form. Decoding validates everything a peer
// could get wrong (missing body, numbers out of the safe range, unknown entry types), because the core
// trusts its inputs.

const entryTypeToProto = ['ENTRY_NORMAL', 'ENTRY_CONF_CHANGE', 'ENTRY_NOOP'] as const;

export function encodeEntry(e: Entry): ProtoEntry {
  return { index: e.index, term: e.term, type: entryTypeToProto[e.type], data: e.data };
}

function decodeEntryType(t: EntryType__Output): EntryType {
  switch (t) {
    case 'ENTRY_NORMAL':
      return EntryType.Normal;
    case 'ENTRY_CONF_CHANGE':
      return EntryType.ConfChange;
    case 'ENTRY_NOOP':
      return EntryType.Noop;
    default:
      throw new MalformedMessageError(`unknown entry type ${String(t)}`);
  }
}

function num(v: number, what: string): number {
  if (!Number.isSafeInteger(v) || v < 0) throw new MalformedMessageError(`${what} out of range: ${v}`);
  return v;
}

export function decodeEntry(e: Entry__Output): Entry {
  return {
    index: num(e.index, 'entry index'),
    term: num(e.term, 'entry term'),
    type: decodeEntryType(e.type),
    data: e.data,
  };
}

export function encodeSnapshotMeta(m: SnapshotMeta): ProtoSnapshotMeta {
  return { index: m.index, term: m.term, conf: { voters: [...m.conf.voters], learners: [...m.conf.learners] } };
}

function decodeConf(c: ConfState__Output | null): ConfState {
  if (!c) throw new MalformedMessageError('snapshot without a configuration');
  return {
    voters: c.voters.map((v) => num(v, 'voter id')),
    learners: c.learners.map((v) => num(v, 'learner id')),
  };
}

export function decodeSnapshotMeta(m: SnapshotMeta__Output | null): SnapshotMeta {
  if (!m) throw new MalformedMessageError('snapshot header without metadata');
  return { index: num(m.index, 'snapshot index'), term: num(m.term, 'snapshot term'), conf: decodeConf(m.conf) };
}

/** Encodes any message except Snap (snapshots travel on their own stream). */
export function encodeMessage(m: Message): RaftMessage {
  const h = { from: m.from, to: m.to, term: m.term };
  switch (m.type) {
    case 'App':
      return {
        ...h,
        append: {
          prevIndex: m.prevIndex,
          prevTerm: m.prevTerm,
          commit: m.commit,
          entries: m.entries.map(encodeEntry),
        },
      };
    case 'AppResp':
      return {
        ...h,
        appendResponse: { index: m.index, reject: m.reject, hintIndex: m.hintIndex, hintTerm: m.hintTerm },
      };
    case 'Vote':
    case 'PreVote':
      return {
        ...h,
        vote: { preVote: m.type === 'PreVote', lastIndex: m.lastIndex, lastTerm: m.lastTerm, transfer: m.transfer },
      };
    case 'VoteResp':
    case 'PreVoteResp':
      return { ...h, voteResponse: { preVote: m.type === 'PreVoteResp', reject: m.reject } };
    case 'Heartbeat':
      return { ...h, heartbeat: { commit: m.commit, readSeq: m.readSeq } };
    case 'HeartbeatResp':
      return { ...h, heartbeatResponse: { readSeq: m.readSeq } };
    case 'TimeoutNow':
      return { ...h, timeoutNow: {} };
    case 'ReadIndex':
      return { ...h, readIndex: { ctx: m.ctx } };
    case 'ReadIndexResp':
      return { ...h, readIndexResponse: { index: m.index, ctx: m.ctx, reject: m.reject } };
    case 'Snap':
      throw new Error('snapshot messages travel on the snapshot stream');
  }
}

export function decodeMessage(p: RaftMessage__Output): Message {
  const h = { from: num(p.from, 'from'), to: num(p.to, 'to'), term: num(p.term, 'term') };
  switch (p.body) {
    case 'append': {
      const b = p.append;
      if (!b) break;
      return {
        ...h,
        type: 'App',
        prevIndex: num(b.prevIndex, 'prevIndex'),
        prevTerm: num(b.prevTerm, 'prevTerm'),
        commit: num(b.commit, 'commit'),
        entries: b.entries.map(decodeEntry),
      };
    }
    case 'appendResponse': {
      const b = p.appendResponse;
      if (!b) break;
      return {
        ...h,
        type: 'AppResp',
        index: num(b.index, 'index'),
        reject: b.reject,
        hintIndex: num(b.hintIndex, 'hintIndex'),
        hintTerm: num(b.hintTerm, 'hintTerm'),
      };
    }
    case 'vote': {
      const b = p.vote;
      if (!b) break;
      return {
        ...h,
        type: b.preVote ? 'PreVote' : 'Vote',
        lastIndex: num(b.lastIndex, 'lastIndex'),
        lastTerm: num(b.lastTerm, 'lastTerm'),
        transfer: b.transfer,
      };
    }
    case 'voteResponse': {
      const b = p.voteResponse;
      if (!b) break;
      return { ...h, type: b.preVote ? 'PreVoteResp' : 'VoteResp', reject: b.reject };
    }
    case 'heartbeat': {
      const b = p.heartbeat;
      if (!b) break;
      return { ...h, type: 'Heartbeat', commit: num(b.commit, 'commit'), readSeq: num(b.readSeq, 'readSeq') };
    }
    case 'heartbeatResponse': {
      const b = p.heartbeatResponse;
      if (!b) break;
      return { ...h, type: 'HeartbeatResp', readSeq: num(b.readSeq, 'readSeq') };
    }
    case 'timeoutNow':
      return { ...h, type: 'TimeoutNow' };
    case 'readIndex': {
      const b = p.readIndex;
      if (!b) break;
      return { ...h, type: 'ReadIndex', ctx: b.ctx };
    }
    case 'readIndexResponse': {
      const b = p.readIndexResponse;
      if (!b) break;
      return { ...h, type: 'ReadIndexResp', index: num(b.index, 'index'), ctx: b.ctx, reject: b.reject };
    }
    default:
      break;
  }
  throw new MalformedMessageError(`message without a body (${String(p.body)})`);
}
