import { encodeConfChange } from './confchange';
import type { Entry, HardState, NodeId } from './types';
import { ConfChangeType, EntryType } from './types';

/**
 * The initial log of a new cluster: one AddVoter entry per founding member, all in term 1 and committed.
 * Every founding member writes the same entries, so nodes that join later learn the founders by replaying
 * the log like any other membership change. `contexts` (e.g. each member's address) ride in the entries.
 */
export function bootstrapLog(
  voters: readonly NodeId[],
  contexts?: ReadonlyMap<NodeId, Uint8Array>,
): { entries: Entry[]; hardState: HardState } {
  const ids = [...new Set(voters)].sort((a, b) => a - b);
  if (ids.length === 0) throw new Error('bootstrap needs at least one voter');
  const entries = ids.map((node, i): Entry => ({
    index: i + 1,
    term: 1,
    type: EntryType.ConfChange,
    data: encodeConfChange({ type: ConfChangeType.AddVoter, node, context: contexts?.get(node) }),
  }));
  return { entries, hardState: { term: 1, vote: 0, commit: entries.length } };
}
