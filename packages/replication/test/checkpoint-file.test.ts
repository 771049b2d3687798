// The checkpoint index lives beside the databases under a name no database can have: a temporary file a
// crash left behind is never opened as a database, and databases named like the old file keep their data.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ReplicatedSqlite } from '../src';
import { SqliteCluster, write } from './helpers';

jest.setTimeout(60_000);

describe('the checkpoint file', () => {
  let c: SqliteCluster | undefined;
  const dirs: string[] = [];
  afterAll(async () => {
    await c?.close();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('is never taken for a database, torn or not, and databases may have its old name', async () => {
    c = new SqliteCluster();
    await c.startAll(1);
    const l = await c.leader();
    for (const name of ['checkpoint.json', 'checkpoint.json.tmp']) {
      await l.sm.createDatabase(name);
      await write(l, name, 'CREATE TABLE t (v)');
      await write(l, name, 'INSERT INTO t VALUES (?)', [name]);
    }
    const ci = await l.sm.checkpoint();
    expect(ci).toBeGreaterThan(0);
    await c.stop(1);

    // a kill -9 in the middle of the checkpoint's atomic rewrite leaves its temporary file torn
    const sqliteDir = path.join(c.root, 'n1', 'sqlite');
    fs.writeFileSync(path.join(sqliteDir, '.checkpoint.json.tmp'), '{"index":12');

    const again = await c.start(1);
    await c.leader();
    for (const name of ['checkpoint.json', 'checkpoint.json.tmp']) {
      expect(again.sm.database(name).reader().prepare('SELECT v FROM t').pluck().all()).toEqual([name]);
    }
    expect(again.sm.appliedIndex()).toBeGreaterThanOrEqual(ci);
  });

  it('kept by an earlier version under checkpoint.json is moved, and its torn temporary file removed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walraft-ckpt-'));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, 'checkpoint.json'), JSON.stringify({ index: 42, seqs: {} }));
    fs.writeFileSync(path.join(dir, 'checkpoint.json.tmp'), '{"index":4');
    const sm = await ReplicatedSqlite.open({ dir });
    try {
      expect(sm.appliedIndex()).toBe(42);
      expect(sm.hasDatabase('checkpoint.json')).toBe(false);
      expect(sm.hasDatabase('checkpoint.json.tmp')).toBe(false);
    } finally {
      await sm.close();
    }
    expect(fs.readdirSync(dir).sort()).toEqual(['.checkpoint.json']);
  });
});
