import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Database, Node } from '../src';
import { NotLeaderError, SqliteError, startNode } from '../src';

jest.setTimeout(60_000);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('an embedded 3-node cluster', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'walraft-driver-'));
  const nodes: Node[] = [];
  let leader: Node;
  let follower: Node;
  let db: Database;

  beforeAll(async () => {
    const first = await startNode({ id: 1, dataDir: path.join(root, 'n1'), listen: '127.0.0.1:0', bootstrap: true });
    nodes.push(first);
    for (const id of [2, 3]) {
      nodes.push(
        await startNode({ id, dataDir: path.join(root, `n${id}`), listen: '127.0.0.1:0', join: [first.address] }),
      );
    }
    while (first.status().conf.voters.length < 3) await sleep(50);
    const lead = await first.waitForLeader();
    const l = nodes.find((n) => n.id === lead);
    const f = nodes.find((n) => n.id !== lead);
    if (!l || !f) throw new Error('no leader');
    leader = l;
    follower = f;
    db = await leader.open('app.db');
    await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, n INTEGER, b BLOB)');
  });
  afterAll(async () => {
    for (const n of nodes) await n.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('runs statements with positional and named parameters, BigInt and Buffer', async () => {
    const r = await db.run('INSERT INTO t (name, n, b) VALUES (?, ?, ?)', ['a', 1n, Buffer.from([1, 2, 3])]);
    expect(r.changes).toBe(1);
    expect(r.token).toHaveLength(16);
    await db.run('INSERT INTO t (name, n) VALUES (:name, :n)', { name: 'b', n: 2 });
    const row = await db.get('SELECT name, n, b FROM t WHERE name = ?', ['a']);
    expect(row?.n).toBe(1);
    expect(Buffer.from(row?.b as Uint8Array)).toEqual(Buffer.from([1, 2, 3]));
    expect(await db.all('SELECT name FROM t ORDER BY name')).toEqual([{ name: 'a' }, { name: 'b' }]);
    expect(await db.all('INSERT INTO t (name, n) VALUES (?, 3) RETURNING name', ['c'])).toEqual([{ name: 'c' }]);
  });

  it('prepares statements, batches atomically and streams rows', async () => {
    const st = db.prepare('SELECT count(*) AS c FROM t');
    const before = (await st.get())?.c as number;
    await expect(
      db.batch([
        { sql: 'INSERT INTO t (name) VALUES (?)', params: ['x1'] },
        { sql: 'INSERT INTO t (name) VALUES (?)', params: ['a'] }, // duplicate: the whole batch fails
      ]),
    ).rejects.toBeInstanceOf(SqliteError);
    expect((await st.get())?.c).toBe(before);
    await db.batch([
      { sql: 'INSERT INTO t (name) VALUES (?)', params: ['x1'] },
      { sql: 'INSERT INTO t (name) VALUES (?)', params: ['x2'] },
    ]);
    let streamed = 0;
    for await (const row of db.iterate('SELECT * FROM t')) if (row.name !== undefined) streamed++;
    expect(streamed).toBe(before + 2);
  });

  it('runs interactive transactions and transaction(fn)', async () => {
    const tx = await db.begin();
    expect(tx.token).toHaveLength(16);
    await tx.run('INSERT INTO t (name) VALUES (?)', ['in-tx']);
    expect(await tx.get("SELECT count(*) AS c FROM t WHERE name = 'in-tx'")).toEqual({ c: 1 });
    const { token } = await tx.commit();
    expect(await db.recover(token)).toBe(true);
    await expect(
      db.transaction(async (t) => {
        await t.run('INSERT INTO t (name) VALUES (?)', ['rolled-back']);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await db.get("SELECT count(*) AS c FROM t WHERE name = 'rolled-back'")).toEqual({ c: 0 });
    const n = await db.transaction(async (t) => {
      await t.run('INSERT INTO t (name) VALUES (?)', ['committed']);
      return 7;
    });
    expect(n).toBe(7);
  });

  it('reads on a follower: linearizable sees the last acknowledged write, local is synchronous', async () => {
    await db.run('INSERT INTO t (name) VALUES (?)', ['just-written']);
    const fdb = await follower.open('app.db');
    expect(await fdb.get("SELECT count(*) AS c FROM t WHERE name = 'just-written'")).toEqual({ c: 1 });
    await expect(fdb.get('SELECT 1 AS one', [], { consistency: 'weak' })).rejects.toBeInstanceOf(NotLeaderError);
    const local = fdb.local.prepare('SELECT count(*) AS c FROM t').get() as { c: number };
    expect(local.c).toBeGreaterThan(0);
    expect(fdb.local.appliedIndex).toBeGreaterThan(0);
  });
});
