// An interactive commit refused because leadership went (before the role change was reported) must not
// leave its transaction open on the writer thread: the next apply could not run under it.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { silentLogger } from '@walraft/raft';
import { createDatabaseFile, emptyDatabaseImage, registerReplicated } from '@walraft/vfs';
import type { ReplicaHost } from '../src/database-replica';
import { DatabaseReplica, newToken, NotLeaderError } from '../src';

it('an interactive commit refused for lost leadership rolls its transaction back on the writer', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walraft-itx-'));
  const file = path.join(dir, 'a.db');
  createDatabaseFile(file, emptyDatabaseImage(4096));
  let writable = true;
  const host: ReplicaHost = {
    awaitWritable: () => (writable ? Promise.resolve() : Promise.reject(new NotLeaderError(0))),
    writable: () => writable,
    proposeEntry: () => Promise.reject(new Error('nothing is proposed in this test')),
    newProposalId: () => randomBytes(16),
    leaderNow: () => Date.now(),
    markUncertain: () => undefined,
    maxEntryBytes: 1 << 20,
    maxGroupRequests: 16,
    idleTransactionMs: 0,
    tokenRetentionMs: 3_600_000,
    logger: silentLogger,
  };
  const replica = await DatabaseReplica.open('a.db', registerReplicated(file), host, {
    checkpointWalFrames: 1_000,
    busyRetryMs: 1_000,
    minSeq: 0,
  });
  try {
    const tx = await replica.begin(newToken());
    await tx.run({ sql: 'SELECT 1 AS one', mode: 'all' });
    writable = false; // the Raft node no longer leads; its role change has not been reported yet
    await expect(tx.commit()).rejects.toBeInstanceOf(NotLeaderError);
    writable = true;
    // the writer holds no transaction any more: a new one begins (the writer refuses a second BEGIN)
    const next = await replica.begin(newToken());
    await next.rollback();
  } finally {
    await replica.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
