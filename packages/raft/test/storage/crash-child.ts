/**
 * The process the crash test kills: opens the log in argv[2], starts a new term (truncating a few entries of
 * the previous one, as a deposed leader's follower would), then runs concurrent proposers that append and sync
 * with group commit, compacting now and then. It prints a line only for what is durable:
 *   ready <last> <term>            after start-up and the truncation are synced
 *   synced <last> <term> <commit>  a sync covering the log up to <last> (whose term is <term>) resolved
 *   boundary <index> <term>        a compaction, or a snapshot install, at <index> is durable
 */
import { LogStore } from '../../src/storage/log-store';
import { entry } from './helpers';

const PROPOSERS = 16;

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (dir === undefined) throw new Error('usage: crash-child <dir>');
  const store = await LogStore.open(dir, {
    segmentBytes: 8 * 1024,
    cacheEntries: 32,
    logger: { warn: (m) => process.stderr.write(`${m}\n`) },
  });
  const prev = store.hardState();
  const term = prev.term + 1;
  store.setHardState({ term, vote: 1, commit: prev.commit });
  const truncateTo = Math.max(store.firstIndex(), store.lastIndex() - 2, prev.commit + 1);
  if (truncateTo <= store.lastIndex()) store.append([entry(truncateTo, term)]);
  await store.sync();
  process.stdout.write(`ready ${store.lastIndex()} ${store.term(store.lastIndex()) ?? 0}\n`);

  let compacting = false;
  let boundaries = 0;
  const propose = async (): Promise<void> => {
    for (;;) {
      const index = store.lastIndex() + 1;
      store.append([entry(index, term)]);
      const commit = Math.max(store.hardState().commit, index - 5);
      store.setHardState({ term, vote: 1, commit });
      const last = store.lastIndex();
      const lastTerm = store.term(last) ?? 0;
      await store.sync();
      process.stdout.write(`synced ${last} ${lastTerm} ${commit}\n`);
      if (!compacting && last - store.firstIndex() > 300) {
        compacting = true;
        const conf = { voters: [1], learners: [] };
        let boundary = { index: last - 100, term: store.term(last - 100) ?? 0, conf };
        if (++boundaries % 3 === 0) {
          // a snapshot from a leader that is ahead: the whole log is replaced by the boundary
          boundary = { index: store.lastIndex() + 20, term, conf };
          await store.installSnapshot(boundary);
        } else {
          await store.compact(boundary);
        }
        process.stdout.write(`boundary ${boundary.index} ${boundary.term}\n`);
        compacting = false;
      }
    }
  };
  await Promise.all(Array.from({ length: PROPOSERS }, propose));
}

main().catch((err: unknown) => {
  process.stderr.write(`crash-child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
