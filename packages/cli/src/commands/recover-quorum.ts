import * as path from 'node:path';
import { recoverQuorum } from '@walraft/raft';
import { parseAddress, parseId } from '../addresses';
import { UsageError } from '../errors';
import { toJson } from '../format';

export interface RecoverQuorumFlags {
  readonly data: string;
  readonly members: string;
  readonly dryRun?: boolean;
  readonly json?: boolean;
}

/** `ID=HOST:PORT[,…]` */
function parseMembers(text: string): { id: number; address: string }[] {
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0) throw new UsageError('--members needs at least one ID=HOST:PORT');
  return list.map((item) => {
    const eq = item.indexOf('=');
    if (eq < 0) throw new UsageError(`malformed member "${item}" (expected ID=HOST:PORT)`);
    return { id: parseId(item.slice(0, eq), 'member id'), address: parseAddress(item.slice(eq + 1), 'member address') };
  });
}

/** Offline: makes a stopped survivor's configuration `--members` (see docs/operations.md). */
export async function recoverQuorumCommand(flags: RecoverQuorumFlags, out: (s: string) => void): Promise<number> {
  const members = parseMembers(flags.members);
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
