import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { splitStatements } from '../src/sql-split';
import type { Running } from './helpers';
import { bin, get, run, sleep, startNode as startCliNode } from './helpers';

jest.setTimeout(120_000);

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'walraft-cli-'));
const nodes = new Map<number, Running>();
/** Nodes of other clusters started by a test (killed at the end too). */
const others: Running[] = [];
const startNode = (id: number, how: string[]): Promise<Running> => startCliNode(root, nodes, id, how);

const cluster = (): string => [...nodes.values()].map((n) => n.address).join(',');

interface StatusJson {
  leader: number;
  term: number;
  members: { id: number; role: string; reachable: boolean; appliedIndex: number }[];
}

async function status(): Promise<StatusJson> {
  const r = await run(['status', '--cluster', cluster(), '--json']);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as StatusJson;
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

beforeAll(async () => {
  const first = await startNode(1, ['--bootstrap']);
  await startNode(2, ['--join', first.address]);
  await startNode(3, ['--join', first.address]);
  await waitFor('three voters', async () => {
    const s = await status();
    return s.leader !== 0 && s.members.length === 3 && s.members.every((m) => m.reachable) ? s : undefined;
  });
});
afterAll(async () => {
  const all = [...nodes.values(), ...others];
  for (const n of all) n.child.kill('SIGKILL');
  await Promise.all(all.map((n) => n.exited));
  fs.rmSync(root, { recursive: true, force: true });
});

describe('walraft shell -e', () => {
  it('runs statements, prints aligned tables or JSON, and keeps BEGIN … COMMIT together', async () => {
    const w = await run([
      'shell',
      '--cluster',
      cluster(),
      '--db',
      'app.db',
      '-e',
      "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES ('a'), ('bb')",
      '-e',
      "BEGIN; INSERT INTO t (v) VALUES ('in-tx'); COMMIT; SELECT id, v FROM t ORDER BY id",
    ]);
    expect(w.stderr).toBe('');
    expect(w.code).toBe(0);
    expect(w.stdout).toBe('id | v\n---+------\n1  | a\n2  | bb\n3  | in-tx\n');
    const j = await run([
      'shell',
      '--cluster',
      cluster(),
      '--db',
      'app.db',
      '--json',
      '-e',
      'SELECT count(*) AS n FROM t',
    ]);
    expect(JSON.parse(j.stdout)).toEqual([{ n: 3 }]);
    const weak = await run([
      'shell',
      '--cluster',
      cluster(),
      '--db',
      'app.db',
      '--consistency',
      'none',
      '-e',
      'SELECT 1 AS one',
    ]);
    expect(weak.stdout).toContain('one');
  });

  it('stops at the first SQL error with one line on stderr and a non-zero exit', async () => {
    const r = await run([
      'shell',
      '--cluster',
      cluster(),
      '--db',
      'app.db',
      '-e',
      "INSERT INTO t (v) VALUES ('x'); SELEC 1; INSERT INTO t (v) VALUES ('y')",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^walraft: near "SELEC": syntax error/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const c = await run([
      'shell',
      '--cluster',
      cluster(),
      '--db',
      'app.db',
      '--json',
      '-e',
      "SELECT count(*) AS n FROM t WHERE v IN ('x', 'y')",
    ]);
    expect(JSON.parse(c.stdout)).toEqual([{ n: 1 }]);
  });
});

describe('the interactive shell (through a pseudo-terminal)', () => {
  it('edits multi-line statements, prints tables, runs dot-commands and keeps history', async () => {
    const history = path.join(root, 'history');
    const command = [process.execPath, bin, 'shell', '--cluster', cluster(), '--db', 'pty.db'].join(' ');
    // util-linux script(1) runs the shell on a pseudo-terminal and relays our pipe to it
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: { ...process.env, WALRAFT_HISTORY: history, TERM: 'dumb' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => {
        resolve(code);
      }),
    );
    const seen = async (text: string | RegExp, from = 0): Promise<number> => {
      await waitFor(`"${String(text)}" on the terminal`, () => {
        const rest = output.slice(from);
        const i = typeof text === 'string' ? rest.indexOf(text) : rest.search(text);
        return Promise.resolve(i >= 0 ? true : undefined);
      });
      return output.length;
    };
    const type = (line: string): void => {
      child.stdin.write(`${line}\n`);
    };
    let at = await seen('walraft> ');
    type('CREATE TABLE pty (a INTEGER, b TEXT);');
    at = await seen('walraft> ', at);
    type("INSERT INTO pty VALUES (1, 'one'),");
    at = await seen('...> ', at);
    type("(2, 'two');");
    at = await seen('walraft> ', at);
    type('.tables');
    at = await seen('pty', at);
    type('SELECT a, b FROM pty ORDER BY a;');
    at = await seen(/a \| b\s+-+\+-+\s+1 \| one\s+2 \| two/, at);
    type('.timer on');
    type('SELECT 1 AS x;');
    at = await seen('time: ', at);
    type('.consistency none');
    at = await seen('reads: none', at);
    type('.leader');
    at = await seen(/node \d+ at 127\.0\.0\.1:\d+/, at);
    type('SELEC 1;');
    await seen('error: near "SELEC"', at);
    type('.quit');
    expect(await exited).toBe(0);
    expect(fs.readFileSync(history, 'utf8')).toContain('SELECT a, b FROM pty ORDER BY a;');
  });
});

describe('walraft verify', () => {
  it('finds identical pages on every member', async () => {
    const r = await run(['verify', '--cluster', cluster(), '--db', 'app.db', '--json']);
    expect(r.stderr).toBe('');
    const v = JSON.parse(r.stdout) as { ok: boolean; members: { hash: string; appliedIndex: number }[] };
    expect(v.ok).toBe(true);
    expect(v.members).toHaveLength(3);
    expect(new Set(v.members.map((m) => m.hash)).size).toBe(1);
    const text = await run(['verify', '--cluster', cluster(), '--db', 'app.db']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/ok: 3 members hold identical pages of app\.db at applied index \d+/);
    const missing = await run(['verify', '--cluster', cluster(), '--db', 'nope.db']);
    expect(missing.code).toBe(1);
  });
});

describe('walraft backup and start --restore', () => {
  it('writes a plain SQLite file, and a new cluster started from it holds the same data', async () => {
    const file = path.join(root, 'backup.db');
    await run([
      'shell',
      '--cluster',
      cluster(),
      '--db',
      'app.db',
      '-e',
      "CREATE INDEX t_v ON t (v); CREATE TABLE auto (id INTEGER PRIMARY KEY AUTOINCREMENT, x BLOB); INSERT INTO auto (x) VALUES (x'00ff'), (NULL)",
    ]);
    const b = await run(['backup', '--cluster', cluster(), '--db', 'app.db', '--out', file]);
    expect(b.stderr).toBe('');
    expect(b.stdout).toMatch(/bytes at applied index \d+ written to/);
    const plain = new BetterSqlite3(file, { readonly: true });
    const rows = plain.prepare('SELECT id, v FROM t ORDER BY id').all();
    expect(plain.pragma('integrity_check', { simple: true })).toBe('ok');
    plain.close();
    expect(rows.length).toBeGreaterThan(3);

    const restored = await startNode(11, [
      '--bootstrap',
      '--cluster-id',
      'restored',
      '--restore',
      file,
      '--db',
      'app.db',
    ]);
    nodes.delete(11); // another cluster: not one of the nodes `cluster()` lists
    others.push(restored);
    expect(restored.lines.some((l) => l.msg === 'restored')).toBe(true);
    const q = await run([
      'shell',
      '--cluster',
      restored.address,
      '--cluster-id',
      'restored',
      '--db',
      'app.db',
      '--json',
      '-e',
      'SELECT id, v FROM t ORDER BY id',
      '-e',
      'SELECT id, hex(x) AS x FROM auto ORDER BY id',
    ]);
    expect(q.stderr).toBe('');
    const [tRows, autoRows] = q.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown[]);
    expect(tRows).toEqual(rows);
    expect(autoRows).toEqual([
      { id: 1, x: '00FF' },
      { id: 2, x: '' },
    ]);
    // AUTOINCREMENT continues after the restored rows, and the index came along
    const next = await run([
      'shell',
      '--cluster',
      restored.address,
      '--cluster-id',
      'restored',
      '--db',
      'app.db',
      '--json',
      '-e',
      'INSERT INTO auto (x) VALUES (NULL) RETURNING id',
      '-e',
      "SELECT name FROM sqlite_schema WHERE name = 't_v'",
    ]);
    expect(
      next.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([[{ id: 3 }], [{ name: 't_v' }]]);
    restored.child.kill('SIGTERM');
    expect(await restored.exited).toBe(0);
    const wrong = await run([
      'start',
      '--id',
      '12',
      '--data',
      path.join(root, 'n12'),
      '--listen',
      '127.0.0.1:0',
      '--restore',
      file,
      '--db',
      'app.db',
    ]);
    expect(wrong.stderr).toMatch(/use it with --bootstrap/);
  });
});

describe('bad input', () => {
  it.each([
    [['start', '--id', '1', '--data', root, '--listen', '127.0.0.1:0', '--bogus'], /unknown option '--bogus'/],
    [['status', '--cluster', 'no-port'], /malformed --cluster address "no-port"/],
    [['status', '--cluster', '127.0.0.1:1'], /no node reachable|none of/],
    [['shell', '--cluster', '127.0.0.1:1', '--consistency', 'sometimes', '-e', 'SELECT 1'], /consistency must be/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('walraft %j fails with one clear line', async (args, message) => {
    const r = await run(args);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('names the address when the listening port is taken', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as net.AddressInfo;
    const dir = fs.mkdtempSync(path.join(root, 'taken-'));
    try {
      const r = await run(['start', '--id', '1', '--data', dir, '--listen', `127.0.0.1:${port}`, '--bootstrap']);
      expect(r.code).not.toBe(0);
      const last = r.stderr.trim().split('\n').pop() ?? '';
      expect(last).toBe(
        `walraft: cannot listen on 127.0.0.1:${port}: address already in use (EADDRINUSE) (RAFT_LISTEN_FAILED)`,
      );
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('refuses a cluster with another id', async () => {
    const r = await run(['status', '--cluster', cluster(), '--cluster-id', 'someone-else']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cluster "someone-else"/);
    expect(r.stderr).toMatch(/RAFT_CLUSTER_MISMATCH/);
  });
});

describe('operations', () => {
  it('serves /status, /readyz and Prometheus /metrics', async () => {
    const n = nodes.get(1) as Running;
    const s = await get(`http://${n.http}/status`);
    expect(JSON.parse(s.body)).toMatchObject({ id: 1, clusterId: 'walraft' });
    expect((await get(`http://${n.http}/readyz`)).status).toBe(200);
    const m = await get(`http://${n.http}/metrics`);
    const samples = new Map<string, number>();
    for (const line of m.body.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
      expect(match).not.toBeNull();
      samples.set(match?.[1] ?? '', Number(match?.[2]));
    }
    expect(samples.get('walraft_term')).toBeGreaterThan(0);
    expect(samples.get('walraft_applied_index')).toBeGreaterThan(0);
    expect(samples.has('walraft_commit_latency_seconds_count')).toBe(true);
    expect(samples.has('nodejs_eventloop_lag_p99_seconds')).toBe(true);
    expect(samples.get('walraft_fsync_seconds_count')).toBeGreaterThan(0);
    expect(samples.has('walraft_checkpoints_total')).toBe(true);
    expect(samples.has('walraft_snapshots_sent_total')).toBe(true);
  });

  it('transfers leadership, removes and re-adds a member', async () => {
    const before = await status();
    const to = before.members.find((m) => m.role !== 'leader')?.id ?? 0;
    const t = await run(['transfer', '--cluster', cluster(), '--to', String(to)]);
    expect(t.stdout.trim()).toBe(`node ${to} is the leader`);
    const fourth = await startNode(4, ['--join', (nodes.get(1) as Running).address]);
    await waitFor('four members', async () => ((await status()).members.length === 4 ? true : undefined));
    const r = await run(['remove', '--cluster', cluster(), '--id', '4']);
    expect(r.stdout.trim()).toBe('node 4 removed');
    fourth.child.kill('SIGKILL');
    await fourth.exited;
    nodes.delete(4);
    await waitFor('three members', async () => ((await status()).members.length === 3 ? true : undefined));
    const again = await run(['add', '--cluster', cluster(), '--id', '4', '--address', '127.0.0.1:9']);
    expect(again.code).not.toBe(0); // node ids are never reused
    expect(again.stderr).toMatch(/node 4|retired|reuse/i);
  });

  it('stops the leader gracefully on SIGTERM: leadership handed over, exit 0, no write lost', async () => {
    const w = await run([
      'shell',
      '--cluster',
      cluster(),
      '--db',
      'app.db',
      '-e',
      "INSERT INTO t (v) VALUES ('before-stop')",
    ]);
    expect(w.code).toBe(0);
    const s = await status();
    const leader = nodes.get(s.leader) as Running;
    leader.child.kill('SIGTERM');
    expect(await leader.exited).toBe(0);
    expect(leader.lines.some((l) => l.msg === 'leadership handed over')).toBe(true);
    nodes.delete(s.leader);
    const after = await waitFor('a new leader', async () => {
      const x = await status();
      return x.leader !== 0 && x.leader !== s.leader ? x : undefined;
    });
    expect(after.leader).not.toBe(s.leader);
    const c = await run([
      'shell',
      '--cluster',
      cluster(),
      '--db',
      'app.db',
      '--json',
      '-e',
      "SELECT count(*) AS n FROM t WHERE v = 'before-stop'",
    ]);
    expect(JSON.parse(c.stdout)).toEqual([{ n: 1 }]);
  });
});

describe('splitStatements', () => {
  it('splits on semicolons outside strings, identifiers, comments and trigger bodies', () => {
    const sql = [
      'INSERT INTO t VALUES (\'a;b\', "c;d", [e;f], `g;h`); -- a; comment',
      '/* x; y */ SELECT 1;',
      'CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET v = CASE WHEN 1 THEN 2 ELSE 3 END; DELETE FROM t; END;',
      'SELECT 2',
    ].join('\n');
    const { statements, rest } = splitStatements(sql);
    expect(statements).toHaveLength(3);
    expect(statements[2]).toMatch(/^CREATE TRIGGER .* END;$/s);
    expect(rest.trim()).toBe('SELECT 2');
    expect(splitStatements("SELECT 'unterminated; still").statements).toEqual([]);
  });
});
