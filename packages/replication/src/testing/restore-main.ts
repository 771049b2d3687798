// Installs one snapshot file into a state machine directory, as a child process the parent may kill -9
// at any moment of the install (restore-crash test).
import type { SnapshotMeta } from '@walraft/raft';
import { fileSnapshot } from '@walraft/raft';
import * as fs from 'node:fs';
import { ReplicatedSqlite } from '../replicated-sqlite';

export interface RestoreArgs {
  readonly dir: string;
  /** The snapshot file; the child installs (and then deletes) a copy of it. */
  readonly snapshot: string;
  readonly meta: SnapshotMeta;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as RestoreArgs;
  const copy = `${args.snapshot}.${process.pid}`;
  fs.copyFileSync(args.snapshot, copy);
  const snapshot = fileSnapshot(copy, fs.statSync(copy).size, new Uint8Array(0));
  const sm = await ReplicatedSqlite.open({ dir: args.dir });
  process.send?.('installing');
  try {
    await sm.restore(args.meta, snapshot);
  } finally {
    snapshot.close();
  }
  await sm.close();
  process.send?.('installed', () => process.exit(0));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
