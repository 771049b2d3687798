import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyConfChange, decodeConfChange, encodeConfChange } from '../core/confchange';
import type { ConfChange, ConfState, Entry, Index, NodeId, Term } from '../core/types';
import { ConfChangeType, EntryType } from '../core/types';
import { LogStore } from '../storage/log-store';
import { DataDirLock } from './data-dir-lock';
import { DataDirMismatchError } from './errors';
import type { MemberAddress } from './membership';
import { MemberBook } from './membership';

const enc = new TextEncoder();

/** Why an offline recovery was refused; nothing was written. */
export class RecoveryRefusedError extends Error {
  readonly code = 'RAFT_RECOVERY_REFUSED';
  readonly definite = true;
  constructor(detail: string) {
    super(`quorum recovery refused: ${detail}`);
    this.name = 'RecoveryRefusedError';
  }
}

export interface RecoverQuorumReport {
  readonly id: NodeId;
  readonly lastIndex: Index;
  readonly lastTerm: Term;
  readonly commitIndex: Index;
  readonly before: ConfState;
  readonly after: ConfState;
  /** The membership changes appended (none on a dry run). */
  readonly changes: readonly ConfChange[];
  /** The term the node restarts in. */
  readonly term: Term;
}

/**
 * Offline recovery of a cluster that lost a quorum for good, on one stopped survivor — the one whose log is
 * most up to date (highest last term, then highest last index; `dryRun` reports them). Its configuration
 * becomes `members`: membership changes are appended to its log in a new term and, with every entry before
 * them, marked committed, so on restart it applies them and can elect itself (alone, or with the other
 * listed survivors, which restart with their data unchanged). Because its log is the most up to date, it
 * holds every entry any survivor knows to be committed; entries it holds beyond its commit index are kept
 * and committed (they may have been acknowledged), never discarded. Removed members' ids are retired: their
 * data must not come back.
 */
export async function recoverQuorum(
  dataDir: string,
  members: readonly MemberAddress[],
  dryRun = false,
): Promise<RecoverQuorumReport> {
  const identity = readIdentity(path.join(dataDir, 'node.json'));
  if (!members.some((m) => m.id === identity.id)) {
    throw new RecoveryRefusedError(`the new configuration must include this node (${identity.id})`);
  }
  if (new Set(members.map((m) => m.id)).size !== members.length)
    throw new RecoveryRefusedError('a member is listed twice');
  const lock = DataDirLock.acquire(dataDir);
  try {
    const storage = await LogStore.open(path.join(dataDir, 'raft'));
    try {
      const snap = storage.snapshot();
      const last = storage.lastIndex();
      const lastTerm = storage.term(last) ?? snap.term;
      const hs = storage.hardState();
      let conf: ConfState = snap.conf;
      for (let i = snap.index + 1; i <= last;) {
        const batch = storage.entries(i, last + 1, 64 << 20);
        for (const e of batch) {
          if (e.type === EntryType.ConfChange) conf = applyConfChange(conf, decodeConfChange(e.data));
        }
        i += batch.length;
      }
      const book = MemberBook.load(dataDir);
      const changes: ConfChange[] = [];
      const wanted = new Set(members.map((m) => m.id));
      for (const id of [...conf.voters, ...conf.learners]) {
        if (!wanted.has(id)) changes.push({ type: ConfChangeType.RemoveNode, node: id });
      }
      for (const m of members) {
        const known = book.address(m.id);
        if (book.isRetired(m.id)) throw new RecoveryRefusedError(`node id ${m.id} was removed; ids are never reused`);
        if (known !== undefined && known !== m.address) {
          throw new RecoveryRefusedError(
            `node ${m.id} is at ${known}, not ${m.address} (an address cannot change here)`,
          );
        }
        if (!conf.voters.includes(m.id)) {
          changes.push({ type: ConfChangeType.AddVoter, node: m.id, context: enc.encode(m.address) });
        }
      }
      const term = Math.max(hs.term, lastTerm) + 1;
      let after = conf;
      for (const c of changes) after = applyConfChange(after, c);
      const report = {
        id: identity.id,
        lastIndex: last,
        lastTerm,
        commitIndex: hs.commit,
        before: conf,
        after,
        changes,
        term,
      };
      if (dryRun) return { ...report, changes: [] };
      const entries: Entry[] = changes.map((c, i) => ({
        index: last + 1 + i,
        term,
        type: EntryType.ConfChange,
        data: encodeConfChange(c),
      }));
      if (entries.length > 0) storage.append(entries);
      storage.setHardState({ term, vote: identity.id, commit: last + entries.length });
      await storage.sync();
      return report;
    } finally {
      await storage.close();
    }
  } finally {
    lock.release();
  }
}

function readIdentity(file: string): { id: NodeId; clusterId: string } {
  if (!fs.existsSync(file)) throw new RecoveryRefusedError(`${path.dirname(file)} holds no node (no node.json)`);
  const v = JSON.parse(fs.readFileSync(file, 'utf8')) as { id?: unknown; clusterId?: unknown };
  if (typeof v.id !== 'number' || typeof v.clusterId !== 'string')
    throw new DataDirMismatchError(`${file} is malformed`);
  return { id: v.id, clusterId: v.clusterId };
}
