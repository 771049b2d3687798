import * as fs from 'node:fs';
import { ApplyConnection, CommitGate, openDatabase } from '../src';
import type { Verdict } from '../src';
import {
  connectionPageHashes,
  integrityCheck,
  LeaderWorker,
  newReplicatedDb,
  pageHashes,
  rng,
  tempDir,
} from './helpers';
import { randomStep, schema } from './workload';

const pageSizes = [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];
// `npm run stress:vfs` varies these; the defaults keep `npm test` short and reproducible
const seedBase = Number(process.env.WALRAFT_VFS_SEED ?? '17');
const stepScale = Number(process.env.WALRAFT_VFS_STEPS ?? '1');

describe('leader -> follower replication of captured transactions', () => {
  test.each(pageSizes)('random workload, page size %i', async (pageSize) => {
    const dir = tempDir(`repl-${pageSize}`);
    const leader = newReplicatedDb(dir, 'leader.db', pageSize);
    const follower = newReplicatedDb(dir, 'follower.db', pageSize);
    let apply = ApplyConnection.open(follower);
    const reader = openDatabase(follower, { readonly: true }); // long-lived: its page cache must never go stale
    let abortNext: Verdict | undefined;
    let applied = 0;
    let aborted = 0;
    const errors: unknown[] = [];
    const gate = new CommitGate(leader, {
      timeoutMs: 60_000,
      onError: (err, tx) => errors.push([String(err), tx.dbSize, Array.from(tx.packed.pgnos), apply.walInfo()]),
      onCapture: (tx) => {
        expect(tx.pageSize).toBe(pageSize);
        if (abortNext !== undefined) {
          aborted++;
          expect(gate.resolve(tx.seq, abortNext)).toBe(true);
          return;
        }
        apply.apply(tx);
        applied++;
        expect(gate.resolve(tx.seq, 'commit')).toBe(true);
      },
    });
    const worker = new LeaderWorker(leader);
    try {
      expect((await worker.exec(schema)).ok).toBe(true);
      const r = rng(pageSize * 7919 + seedBase);
      const steps = Math.round((pageSize >= 32768 ? 45 : 70) * stepScale);
      for (let i = 0; i < steps; i++) {
        // a full PASSIVE checkpoint now and then: the next apply must restart the WAL
        if (i % 10 === 5) expect(apply.checkpoint('passive').busy).toBe(false);
        const step = randomStep(r, pageSize, i);
        if (step.kind === 'leader-checkpoint') {
          expect((await worker.checkpoint(step.mode)).ok).toBe(true);
          continue;
        }
        if (step.kind === 'follower-checkpoint') {
          apply.checkpoint(step.mode);
          continue;
        }
        abortNext = step.abort;
        const before = aborted;
        const reply = await worker.exec(step.sql);
        abortNext = undefined;
        expect(errors).toEqual([]);
        expect(reply.inTransaction).toBe(false);
        if (step.abort !== undefined && aborted > before) {
          expect(reply.ok).toBe(false);
          expect(reply.failure).toBe(step.abort === 'abort-definite' ? 'not-committed' : 'outcome-unknown');
        } else {
          expect(reply).toMatchObject({ ok: true });
        }
        const expected = pageHashes(leader);
        expect(pageHashes(follower)).toEqual(expected);
        expect(connectionPageHashes(reader)).toEqual(expected);
      }
      expect(integrityCheck(follower)).toBe('ok');
      expect(integrityCheck(leader)).toBe('ok');
      expect(applied).toBeGreaterThan(steps / 3);
      expect(aborted).toBeGreaterThan(0);
      expect(gate.stats()).toMatchObject({ committed: applied, aborted, timedOut: 0 });

      // close every follower connection without a checkpoint: SQLite's own recovery of the
      // WAL we wrote must give the same content (salts and checksum chain are right)
      expect(apply.walInfo().restarts).toBeGreaterThan(0);
      const mxFrame = apply.walInfo().mxFrame;
      const expected = pageHashes(leader);
      apply.close();
      reader.close();
      apply = ApplyConnection.open(follower);
      expect(apply.walInfo().mxFrame).toBe(mxFrame);
      expect(pageHashes(follower)).toEqual(expected);
      expect(integrityCheck(follower)).toBe('ok');

      // after a final TRUNCATE checkpoint on both, the files are identical
      expect((await worker.checkpoint('truncate')).result).toMatchObject({ busy: false });
      expect(apply.checkpoint('truncate').busy).toBe(false);
      await worker.close();
      apply.close();
      expect(fs.readFileSync(follower).equals(fs.readFileSync(leader))).toBe(true);
    } finally {
      gate.close();
      if (!apply.closed) apply.close();
      if (reader.open) reader.close();
      await worker.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
