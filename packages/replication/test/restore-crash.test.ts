// kill -9 of a node while it installs a snapshot over its databases: reopened, each database holds either
// the old state (and the old checkpoint index) or the snapshot's (and its index), never pages of both.
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SnapshotMeta } from '@walraft/raft';
import { bytesSnapshot } from '@walraft/raft';
import { newToken, ReplicatedSqlite } from '../src';
import type { RestoreArgs } from '../src/testing/restore-main';
import { rng, SqliteCluster, write } from './helpers';

jest.setTimeout(180_000);

const script = path.join(__dirname, '..', 'dist', 'testing', 'restore-main.js');

interface State {
  readonly index: number;
  readonly hashes: Map<string, string>;
}

async function snapshotOf(sm: ReplicatedSqlite): Promise<{ index: number; bytes: Buffer }> {
  const s = await sm.openSnapshot();
  try {
    const parts: Uint8Array[] = [];
    for await (const c of s.chunks(1 << 20)) parts.push(Buffer.from(c));
    return { index: s.index, bytes: Buffer.concat(parts) };
  } finally {
    s.close();
  }
}

async function stateOf(dir: string): Promise<State> {
  const sm = await ReplicatedSqlite.open({ dir });
  try {
    const hashes = new Map<string, string>();
    for (const name of ['app.db', 'other.db']) {
      if (!sm.hasDatabase(name)) continue;
      expect(sm.database(name).reader().pragma('quick_check', { simple: true })).toBe('ok');
      hashes.set(name, sm.database(name).pageHash());
    }
    return { index: sm.appliedIndex(), hashes };
  } finally {
    await sm.close();
  }
}

/** Runs the install in a child; kills it `killAfterMs` after the install began (never, if undefined). */
function install(args: RestoreArgs, killAfterMs: number | undefined): Promise<{ ms: number; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = fork(script, [JSON.stringify(args)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let began = 0;
    let installed = false;
    child.on('message', (m) => {
      if (m === 'installing') {
        began = performance.now();
        if (killAfterMs !== undefined) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
      if (m === 'installed') installed = true;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === null && code !== 0) reject(new Error(`the install exited with ${String(code)}`));
      else resolve({ ms: performance.now() - began, killed: !installed });
    });
  });
}

describe('a snapshot install killed midway', () => {
  let c: SqliteCluster | undefined;
  afterAll(async () => {
    await c?.close();
  });

  it('is finished by the next start: the old state or the snapshot, never a mix', async () => {
    c = new SqliteCluster();
    await c.startAll(1);
    const l = await c.leader();
    const root = c.root;

    // the old state: a small database
    await l.sm.createDatabase('app.db');
    await write(l, 'app.db', 'CREATE TABLE t (v, b)');
    for (let i = 0; i < 20; i++) await write(l, 'app.db', 'INSERT INTO t VALUES (?, randomblob(3000))', [i]);
    const old = await snapshotOf(l.sm);
    const template = path.join(root, 'old');
    const meta = (index: number): SnapshotMeta => ({ index, term: 1, conf: l.node.status().conf });
    const seed = await ReplicatedSqlite.open({ dir: template });
    await seed.restore(meta(old.index), bytesSnapshot(old.bytes));
    await seed.close();
    const before = await stateOf(template);
    expect(before.index).toBe(old.index);

    // the snapshot: the database grown to ~24 MB and rewritten, and a second database
    for (let i = 0; i < 3; i++) {
      await l.sm.write('app.db', {
        token: newToken(),
        statements: [
          {
            sql: 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 64) INSERT INTO t SELECT i, randomblob(125000) FROM n',
            mode: 'run',
          },
        ],
      });
    }
    await write(l, 'app.db', 'UPDATE t SET b = randomblob(2900) WHERE v < 20');
    await l.sm.createDatabase('other.db', 1024);
    await write(l, 'other.db', 'CREATE TABLE o (v)');
    const next = await snapshotOf(l.sm);
    const snapshotFile = path.join(root, 'next.snapshot');
    fs.writeFileSync(snapshotFile, next.bytes);

    const run = async (name: string, killAfterMs: number | undefined): Promise<{ ms: number; killed: boolean }> => {
      const dir = path.join(root, name);
      fs.cpSync(template, dir, { recursive: true });
      const r = await install({ dir, snapshot: snapshotFile, meta: meta(next.index) }, killAfterMs);
      return r;
    };

    // an install left alone: its duration spreads the kills over it
    const full = await run('whole', undefined);
    expect(full.killed).toBe(false);
    const after = await stateOf(path.join(root, 'whole'));
    expect(after.index).toBe(next.index);
    expect(after.hashes.get('other.db')).toBeDefined();

    const random = rng(Number(process.env.WALRAFT_SEED ?? 7));
    const outcomes = { old: 0, snapshot: 0 };
    for (let k = 0; k < 12; k++) {
      const r = await run(`killed-${k}`, random() * full.ms * 1.2);
      const s = await stateOf(path.join(root, `killed-${k}`));
      if (s.index === next.index) {
        expect(s.hashes).toEqual(after.hashes);
        outcomes.snapshot++;
      } else {
        expect(r.killed).toBe(true);
        expect(s).toEqual(before);
        outcomes.old++;
      }
      fs.rmSync(path.join(root, `killed-${k}`), { recursive: true, force: true });
    }
    expect(outcomes.old + outcomes.snapshot).toBe(12);
  });
});
