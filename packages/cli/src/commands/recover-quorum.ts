import * as path from 'node:path';
import { recoverQuorum } from '@walraft/raft';
import { parseMembers } from '../addresses';
import { toJson } from '../format';

export interface RecoverQuorumFlags {
  readonly data: string;
  readonly members: string;
  readonly dryRun?: boolean;
  readonly json?: boolean;
}

/** Offline: makes a stopped survivor's configuration `--members` (see docs/operations.md). */
export async function recoverQuorumCommand(flags: RecoverQuorumFlags, out: (s: string) => void): Promise<number> {
  const members = parseMembers(flags.members, '--members');
  const r = await recoverQuorum(path.resolve(flags.data), members, flags.dryRun === true);
  if (flags.json) {
    out(toJson(r));
    return 0;
  }
  out(`node ${r.id}: last index ${r.lastIndex} (term ${r.lastTerm}), commit index ${r.commitIndex}`);
  out(`voters ${r.before.voters.join(',') || '-'} → ${r.after.voters.join(',')}`);
  out(
    flags.dryRun
      ? 'dry run: nothing written. Run this on every survivor and recover the one with the highest last term, then last index.'
      : `recovered: ${r.changes.length} membership change(s) committed in term ${r.term}. Start this node; start the other listed members with their data as it is; never start a removed one.`,
  );
  return 0;
}
