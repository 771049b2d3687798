import type { MemberPageHash } from 'walraft';
import { CommandFailed } from '../errors';
import { formatTable, toJson } from '../format';
import type { ClusterFlags } from './cluster';
import { withClient } from './cluster';

const attempts = 10;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Every member, after a linearizable barrier, reports its applied index and the hash of the database's
 * pages; the cluster passes when all members answer at the same applied index with the same hash. Writes
 * still arriving move the indexes apart: verify asks again a few times, then reports that it could not
 * compare (run it on a quiet cluster).
 */
export async function verify(flags: ClusterFlags & { db: string }, out: (s: string) => void): Promise<number> {
  return withClient(flags, async (client) => {
    let hashes: MemberPageHash[] = [];
    for (let attempt = 1; attempt <= attempts; attempt++) {
      hashes = await client.pageHashes(flags.db);
      const answered = hashes.filter((h) => h.error === undefined);
      const indexes = new Set(answered.map((h) => h.appliedIndex));
      if (answered.length === hashes.length && indexes.size === 1) break;
      if (attempt < attempts) await sleep(300);
    }
    const failed = hashes.filter((h) => h.error !== undefined);
    const indexes = new Set(hashes.filter((h) => h.error === undefined).map((h) => h.appliedIndex));
    const distinct = new Set(hashes.filter((h) => h.error === undefined).map((h) => h.hash));
    const ok = failed.length === 0 && indexes.size === 1 && distinct.size === 1;
    if (flags.json) out(toJson({ ok, db: flags.db, members: hashes }));
    else {
      out(
        formatTable(
          hashes.map((h) => ({
            id: h.id,
            address: h.address,
            applied: h.error === undefined ? h.appliedIndex : '',
            hash: h.error === undefined ? h.hash.slice(0, 16) : `unreachable: ${h.error}`,
          })),
        ),
      );
    }
    if (failed.length > 0)
      throw new CommandFailed(`${failed.length} member(s) could not answer: ${failed.map((f) => f.id).join(', ')}`);
    if (indexes.size !== 1)
      throw new CommandFailed(
        'the members are at different applied indexes (writes still arriving?): nothing compared',
      );
    if (distinct.size !== 1)
      throw new CommandFailed(`the members hold different pages of ${flags.db} at the same applied index`);
    if (!flags.json)
      out(`ok: ${hashes.length} members hold identical pages of ${flags.db} at applied index ${[...indexes][0] ?? 0}`);
    return 0;
  });
}
