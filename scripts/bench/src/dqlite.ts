// dqlite's own benchmark (`dqlite-benchmark`, Debian package go-dqlite), run on three local nodes with the
// same kv workload (`kvwrite`: 32-byte keys, 1 KiB values), when it is on PATH.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { quantile } from './stats';

export function dqliteAvailable(): boolean {
  return spawnSync('dqlite-benchmark', ['--help'], { stdio: 'ignore' }).status === 0;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => {
    s.close(() => {
      r();
    });
  });
  return port;
}

export interface DqliteResult {
  readonly opsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The failed requests dqlite-benchmark counts (`n_err`), e.g. busy errors between its workers. */
  readonly errors: number;
}

/** One kvwrite run with `workers` workers for `seconds` on a fresh 3-node cluster. */
export async function dqliteKvwrite(workers: number, seconds: number): Promise<DqliteResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walraft-bench-dqlite-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const addrs = ports.map((p) => `127.0.0.1:${p}`);
  const children: ChildProcess[] = [];
  try {
    const run = (args: string[], i: number): ChildProcess => {
      const c = spawn('dqlite-benchmark', [...args, '--dir', path.join(dir, `n${i}`)], { stdio: 'ignore' });
      children.push(c);
      return c;
    };
    const driver = run(
      [
        '--db',
        addrs[0] ?? '',
        '--driver',
        '--cluster',
        addrs.join(','),
        '--workload',
        'kvwrite',
        '--workers',
        String(workers),
        '--duration',
        String(seconds),
      ],
      1,
    );
    run(['--db', addrs[1] ?? '', '--join', addrs[0] ?? ''], 2);
    run(['--db', addrs[2] ?? '', '--join', addrs[0] ?? ''], 3);
    const code = await new Promise<number | null>((resolve) => driver.on('exit', resolve));
    if (code !== 0) throw new Error(`dqlite-benchmark exited with ${String(code)}`);
    return readResults(path.join(dir, 'n1', addrs[0] ?? '', 'results'), seconds);
  } finally {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) resolve();
            else {
              c.on('exit', () => {
                resolve();
              });
              c.kill('SIGKILL');
            }
          }),
      ),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Per-worker files: `n N`, `n_err N`, summary lines, then `timestamp-ns latency-ms` per request. */
function readResults(dir: string, seconds: number): DqliteResult {
  let ok = 0;
  let errors = 0;
  const latencies: number[] = [];
  for (const f of fs.readdirSync(dir)) {
    for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      const parts = line.trim().split(/\s+/);
      if (parts[0] === 'n') ok += Number(parts[1]);
      else if (parts[0] === 'n_err') errors += Number(parts[1]);
      else if (parts.length === 2 && /^\d+$/.test(parts[0] ?? '')) latencies.push(Number(parts[1]));
    }
  }
  latencies.sort((a, b) => a - b);
  return { opsPerSec: ok / seconds, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99), errors };
}
