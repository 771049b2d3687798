import * as path from 'node:path';
import { AdminClient } from '@walraft/raft';
import { connect } from 'walraft';
import type { Client } from 'walraft';
import { parseAddress, parseAddressList, parseId } from '../addresses';
import { CommandFailed } from '../errors';
import { formatTable, toJson } from '../format';

export interface ClusterFlags {
  readonly cluster: string;
  readonly clusterId: string;
  readonly json?: boolean;
}

export async function withClient<T>(flags: ClusterFlags, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = await connect(parseAddressList(flags.cluster, '--cluster address'), { clusterId: flags.clusterId });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

interface MemberStatus {
  id: number;
  address: string;
  voter: boolean;
  reachable: boolean;
  role: string;
  term: number;
  leader: number;
  commitIndex: number;
  appliedIndex: number;
  lastIndex: number;
  /** On the leader's view: entries behind the leader's log (undefined: unknown). */
  lag: number | null;
  error?: string;
}

/** Every member's own status (each asked directly), with replication lag as the leader sees it. */
export async function status(flags: ClusterFlags, out: (s: string) => void): Promise<number> {
  const members = await withClient(flags, (c) => c.cluster());
  const statuses: MemberStatus[] = await Promise.all(
    members.map(async (m): Promise<MemberStatus> => {
      const admin = new AdminClient(m.address, { clusterId: flags.clusterId, timeoutMs: 2_000 });
      try {
        const s = await admin.status();
        return {
          id: m.id,
          address: m.address,
          voter: m.voter,
          reachable: true,
          role: s.role,
          term: s.term,
          leader: s.leader,
          commitIndex: s.commitIndex,
          appliedIndex: s.appliedIndex,
          lastIndex: s.lastIndex,
          lag: null,
        };
      } catch (err) {
        return {
          id: m.id,
          address: m.address,
          voter: m.voter,
          reachable: false,
          role: 'unreachable',
          term: 0,
          leader: 0,
          commitIndex: 0,
          appliedIndex: 0,
          lastIndex: 0,
          lag: null,
          error: (err as Error).message,
        };
      } finally {
        admin.close();
      }
    }),
  );
  const leader = statuses.filter((s) => s.role === 'leader').sort((a, b) => b.term - a.term)[0];
  if (leader) for (const s of statuses) if (s.reachable) s.lag = Math.max(0, leader.lastIndex - s.lastIndex);
  if (flags.json) {
    out(toJson({ leader: leader?.id ?? 0, term: leader?.term ?? 0, members: statuses }));
  } else {
    out(
      formatTable(
        statuses.map((s) => ({
          id: s.id,
          address: s.address,
          role: s.role,
          voter: s.voter ? 'yes' : 'learner',
          term: s.reachable ? s.term : '',
          leader: s.reachable ? s.leader : '',
          commit: s.reachable ? s.commitIndex : '',
          applied: s.reachable ? s.appliedIndex : '',
          lag: s.lag ?? '',
        })),
      ),
    );
  }
  return 0;
}

export async function backup(
  flags: ClusterFlags & { db: string; out: string },
  out: (s: string) => void,
): Promise<number> {
  const file = path.resolve(flags.out);
  const r = await withClient(flags, (c) => c.backup(flags.db, file));
  out(
    flags.json
      ? toJson({ file, ...r })
      : `${flags.db}: ${r.bytes} bytes at applied index ${r.appliedIndex} written to ${file}`,
  );
  return 0;
}

export async function add(
  flags: ClusterFlags & { id: string; address: string; learner?: boolean },
  out: (s: string) => void,
): Promise<number> {
  const id = parseId(flags.id);
  const address = parseAddress(flags.address);
  const members = await withClient(flags, (c) => c.addNode(id, address));
  out(
    flags.json
      ? toJson({ members })
      : `node ${id} added at ${address}${flags.learner ? ' (learner)' : '; it becomes a voter once caught up'}`,
  );
  return 0;
}

export async function remove(flags: ClusterFlags & { id: string }, out: (s: string) => void): Promise<number> {
  const id = parseId(flags.id);
  const members = await withClient(flags, (c) => c.removeNode(id));
  out(flags.json ? toJson({ members }) : `node ${id} removed`);
  return 0;
}

export async function transfer(flags: ClusterFlags & { to?: string }, out: (s: string) => void): Promise<number> {
  const to = flags.to === undefined ? 0 : parseId(flags.to);
  const leader = await withClient(flags, (c) => c.transferLeadership(to));
  if (to !== 0 && leader !== to) throw new CommandFailed(`leadership went to node ${leader}, not ${to}`);
  out(flags.json ? toJson({ leader }) : `node ${leader} is the leader`);
  return 0;
}
