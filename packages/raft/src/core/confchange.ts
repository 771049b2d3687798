import type { ConfChange, ConfState, NodeId } from './types';
import { ConfChangeType } from './types';

/**
 * Encoding of a ConfChange inside an entry: [version u8][type u8][node u32 BE][context...].
 * Kept dependency-free because the core must stay pure.
 */
const VERSION = 1;

export function encodeConfChange(cc: ConfChange): Uint8Array {
  const ctx = cc.context ?? new Uint8Array(0);
  const out = new Uint8Array(6 + ctx.length);
  out[0] = VERSION;
  out[1] = cc.type;
  new DataView(out.buffer).setUint32(2, cc.node >>> 0, false);
  out.set(ctx, 6);
  return out;
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  if (data.length < 6 || data[0] !== VERSION) throw new Error('malformed conf change entry');
  const type = data[1];
  if (type !== ConfChangeType.AddVoter && type !== ConfChangeType.AddLearner && type !== ConfChangeType.RemoveNode) {
    throw new Error(`unknown conf change type ${String(type)}`);
  }
  const node = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(2, false);
  return { type, node, context: data.slice(6) };
}

/** The configuration after applying one single-server change. Throws on a change that is not valid. */
export function applyConfChange(conf: ConfState, cc: ConfChange): ConfState {
  if (!Number.isInteger(cc.node) || cc.node <= 0) throw new Error(`invalid node id ${cc.node}`);
  const voters = conf.voters.filter((v) => v !== cc.node);
  const learners = conf.learners.filter((l) => l !== cc.node);
  switch (cc.type) {
    case ConfChangeType.AddVoter:
      voters.push(cc.node);
      break;
    case ConfChangeType.AddLearner:
      if (conf.voters.includes(cc.node)) throw new Error(`node ${cc.node} is a voter; demotion is not supported`);
      learners.push(cc.node);
      break;
    case ConfChangeType.RemoveNode:
      if (!conf.voters.includes(cc.node) && !conf.learners.includes(cc.node)) {
        throw new Error(`node ${cc.node} is not a member`);
      }
      break;
  }
  if (voters.length === 0) throw new Error('a configuration needs at least one voter');
  return { voters: sortIds(voters), learners: sortIds(learners) };
}

export function sortIds(ids: readonly NodeId[]): NodeId[] {
  return [...ids].sort((a, b) => a - b);
}

export function quorumSize(voters: number): number {
  return Math.floor(voters / 2) + 1;
}
