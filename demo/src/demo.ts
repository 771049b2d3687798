// The crash demo: three `walraft start` nodes, an inserting client beside each, and a chaos loop that
// kill -9s a node (the leader more often) at random and restarts it on the same data directory. At the end
// every unknown outcome is resolved with recover(), every node's table is read back, and the run passes
// only if nothing acknowledged was lost, nothing was duplicated or invented, and all pages are identical.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client, Database } from 'walraft';
import { CommitOutcomeUnknownError, connect } from 'walraft';
import { NodeProcess, runWalraft } from '@walraft/cli';
import { seededRandom } from '@walraft/raft';

interface Options {
  duration: number;
  nodes: number;
  seed: number;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { duration: 30, nodes: 3, seed: Math.floor(Math.random() * 2 ** 31) };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = Number(argv[i + 1]);
    if (flag === '--duration' || flag === '--nodes' || flag === '--seed') {
      if (!Number.isInteger(value) || value < 0) throw new Error(`${flag} needs a non-negative integer`);
      o[flag.slice(2) as keyof Options] = value;
      i++;
    } else throw new Error(`unknown option ${String(flag)} (use --duration S, --nodes N, --seed S)`);
  }
  if (o.nodes < 3 || o.nodes > 7) throw new Error('--nodes must be 3 to 7');
  if (o.duration < 5) throw new Error('--duration must be at least 5 seconds');
  return o;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const out = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

/** What the clients know: every value acknowledged, every unknown outcome's token, every definite failure. */
interface Ledger {
  acked: Set<string>;
  unknown: Map<string, Uint8Array>;
  failed: Set<string>;
  errors: Map<string, number>;
  anomalies: string[];
}

async function inserter(
  db: Database,
  client: number,
  interactive: boolean,
  stop: () => boolean,
  l: Ledger,
): Promise<void> {
  for (let seq = 0; !stop(); seq++) {
    const value = `c${client}-${seq}`;
    try {
      if (interactive) {
        await db.transaction(async (tx) => {
          await tx.run('INSERT INTO demo (value, client) VALUES (?, ?)', [value, client]);
        });
      } else {
        await db.run('INSERT INTO demo (value, client) VALUES (?, ?)', [value, client]);
      }
      l.acked.add(value);
    } catch (err) {
      const e = err as Error & { code?: string; definite?: boolean };
      const code = e.code ?? e.name;
      l.errors.set(code, (l.errors.get(code) ?? 0) + 1);
      if (err instanceof CommitOutcomeUnknownError) l.unknown.set(value, err.token);
      else if (e.definite === true) l.failed.add(value);
      else l.anomalies.push(`${value}: an error that is neither definite nor an unknown outcome: ${e.message}`);
      await sleep(20);
    }
  }
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const random = seededRandom(o.seed);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walraft-demo-'));
  const nodes = Array.from({ length: o.nodes }, (_, i) => {
    const id = i + 1;
    return new NodeProcess({ id, dataDir: path.join(dir, `n${id}`), logFile: path.join(dir, `n${id}.log`) });
  });
  const clients: Client[] = [];
  let interrupted = false;
  let keep = false;
  const cleanup = async (): Promise<void> => {
    for (const c of clients.splice(0)) await c.close().catch(() => undefined);
    await Promise.all(nodes.map((n) => n.kill()));
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupted = true;
    out('\ninterrupted: stopping every node and removing the data');
    void cleanup().then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  out(
    `walraft crash demo: ${o.nodes} nodes, ${o.duration} s, seed ${o.seed} (--seed ${o.seed} draws the same random choices)`,
  );
  try {
    const [first, ...rest] = nodes;
    if (!first) throw new Error('no nodes');
    await first.start(['--bootstrap']);
    for (const n of rest) await n.start(['--join', first.address]);
    const all = nodes.map((n) => n.address);
    // each client talks to its own node first and moves on to the others when it is down
    for (const n of nodes) {
      clients.push(await connect([n.address, ...all.filter((a) => a !== n.address)]));
    }
    const dbs = await Promise.all(clients.map((c) => c.open('demo.db')));
    await dbs[0]?.exec(
      'CREATE TABLE IF NOT EXISTS demo (id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE, client INTEGER)',
    );

    const ledger: Ledger = {
      acked: new Set(),
      unknown: new Map(),
      failed: new Set(),
      errors: new Map(),
      anomalies: [],
    };
    let stopping = false;
    const inserters = dbs.map((db, i) => inserter(db, i + 1, i % 2 === 1, () => stopping, ledger));

    let crashes = 0;
    let leaderKills = 0;
    const started = performance.now();
    let lastLeaderKill = started;
    let nextKill = started + 1_500 + random() * 2_500;
    let restartAt: { node: NodeProcess; at: number } | undefined;
    // a restart runs beside the loop (progress keeps printing); the next kill waits for it
    let restarting: Promise<void> | undefined;
    let restartFailure: Error | undefined;
    let lastProgress = started;
    let leader = 0;
    let term = 0;
    while (performance.now() - started < o.duration * 1000) {
      await sleep(100);
      const now = performance.now();
      if (restartAt && now >= restartAt.at) {
        const node = restartAt.node;
        restartAt = undefined;
        restarting = node
          .start([])
          .catch((err: unknown) => {
            restartFailure ??= err as Error;
          })
          .finally(() => {
            restarting = undefined;
          });
      }
      if (!restartAt && !restarting && now >= nextKill) {
        const statuses = await Promise.all(nodes.map((n) => n.status()));
        const lead = statuses.find((s) => s?.role === 'leader')?.leader ?? 0;
        // the leader most of the time, and at least once every 10 s
        const leaderTurn = lead !== 0 && (random() < 0.6 || now - lastLeaderKill > 7_000);
        const victim = leaderTurn ? nodes[lead - 1] : nodes[Math.floor(random() * nodes.length)];
        if (victim?.running) {
          await victim.kill();
          crashes++;
          if (victim.id === lead) {
            leaderKills++;
            lastLeaderKill = now;
          }
          restartAt = { node: victim, at: now + 400 + random() * 1_600 };
        }
        nextKill = now + 1_500 + random() * 2_500;
      }
      if (now - lastProgress >= 1_000) {
        lastProgress = now;
        const statuses = await Promise.all(nodes.map((n) => n.status()));
        const l = statuses.find((s) => s?.role === 'leader');
        leader = l?.leader ?? 0;
        term = l?.term ?? term;
        const applied = statuses.map((s, i) => `n${i + 1}:${s ? s.appliedIndex : 'down'}`).join(' ');
        out(
          `t=${String(Math.round((now - started) / 1000)).padStart(3)}s leader=${leader || '-'} term=${term} ` +
            `acked=${ledger.acked.size} crashes=${crashes} (leader ${leaderKills}) in-flight-unknown=${ledger.unknown.size} ` +
            `applied ${applied}`,
        );
      }
    }
    stopping = true;
    await Promise.all(inserters);
    await restarting;
    if (restartFailure) throw restartFailure;
    if (restartAt) await restartAt.node.start([]);
    for (const n of nodes) if (!n.running) await n.start([]);

    // resolve every unknown outcome: recover() is final
    const recovered = new Map<string, boolean>();
    for (const [value, token] of ledger.unknown) recovered.set(value, await (dbs[0] as Database).recover(token));

    // every node's table, read on that node after a linearizable barrier
    const tables: Set<string>[] = [];
    const counts: number[] = [];
    for (const n of nodes) {
      const c = await connect([n.address]);
      clients.push(c);
      const rows = await (await c.open('demo.db')).all('SELECT value FROM demo');
      counts.push(rows.length);
      tables.push(new Set(rows.map((r) => r.value as string)));
    }
    const verify = await runWalraft(['verify', '--cluster', all.join(','), '--db', 'demo.db']);

    const reference = tables[0] ?? new Set<string>();
    const tried = new Set([...ledger.acked, ...ledger.unknown.keys(), ...ledger.failed]);
    const lost = [...ledger.acked].filter((v) => !reference.has(v));
    const duplicates = counts.map((n, i) => n - (tables[i]?.size ?? 0)).reduce((a, b) => a + b, 0);
    const phantoms = [...reference].filter((v) => !tried.has(v));
    const failedPresent = [...ledger.failed].filter((v) => reference.has(v));
    const recoveredWrong = [...recovered].filter(([v, committed]) => reference.has(v) !== committed);
    const diverged = tables.filter((t) => t.size !== reference.size || [...t].some((v) => !reference.has(v))).length;
    const committedUnknown = [...recovered.values()].filter(Boolean).length;
    const checks: [string, string, boolean][] = [
      ['acknowledged inserts', `${ledger.acked.size} acknowledged, ${lost.length} missing`, lost.length === 0],
      ['duplicates', String(duplicates), duplicates === 0],
      ['rows nobody inserted', String(phantoms.length), phantoms.length === 0],
      [
        'unknown outcomes resolved by recover()',
        `${recovered.size}: ${committedUnknown} committed (present), ${recovered.size - committedUnknown} not (absent); ${recoveredWrong.length} wrong`,
        recoveredWrong.length === 0,
      ],
      ['definite failures present', `${failedPresent.length} of ${ledger.failed.size}`, failedPresent.length === 0],
      ['other errors', String(ledger.anomalies.length), ledger.anomalies.length === 0],
      ['nodes with a different table', `${diverged} of ${nodes.length}`, diverged === 0],
      [
        'walraft verify (page hashes)',
        verify.code === 0 ? (verify.stdout.trim().split('\n').pop() ?? '') : verify.stderr.trim(),
        verify.code === 0,
      ],
      ['crashes (kill -9)', `${crashes}, of which ${leaderKills} of the leader`, leaderKills >= 1],
    ];
    out('');
    out('| check | result | ok |');
    out('|---|---|---|');
    for (const [name, result, ok] of checks) out(`| ${name} | ${result} | ${ok ? 'yes' : 'NO'} |`);
    out(`\nerrors seen by clients: ${[...ledger.errors].map(([k, v]) => `${k}×${v}`).join(', ') || 'none'}`);
    for (const a of ledger.anomalies.slice(0, 5)) out(`  ${a}`);
    const ok = checks.every(([, , pass]) => pass);
    out(ok ? '\nPASS: nothing acknowledged was lost' : `\nFAIL: node logs kept in ${dir}`);
    keep = !ok;
    return ok ? 0 : 1;
  } catch (err) {
    if (interrupted) return 130;
    out(`demo failed: ${(err as Error).message} (node logs kept in ${dir})`);
    keep = true;
    return 1;
  } finally {
    if (!interrupted) {
      for (const c of clients.splice(0)) await c.close().catch(() => undefined);
      await Promise.all(nodes.map((n) => n.kill()));
      // a passing run leaves nothing behind; a failing one keeps the data and logs
      if (!keep) fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    out(`demo failed: ${(err as Error).message}`);
    process.exitCode = 1;
  },
);
