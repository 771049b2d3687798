import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';

export const bin = path.join(__dirname, '..', 'bin', 'walraft.js');
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Running {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  readonly exited: Promise<number | null>;
  address: string;
  http: string;
}

/** `walraft start` as a child process; resolves once it logs "serving" (with its addresses). */
export async function startNode(
  root: string,
  nodes: Map<number, Running>,
  id: number,
  how: string[],
): Promise<Running> {
  const child = spawn(
    process.execPath,
    [
      bin,
      'start',
      '--id',
      String(id),
      '--data',
      path.join(root, `n${id}`),
      '--listen',
      '127.0.0.1:0',
      '--http',
      '127.0.0.1:0',
      ...how,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const lines: Record<string, unknown>[] = [];
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      resolve(code);
    }),
  );
  const r: Running = { child, lines, exited, address: '', http: '' };
  let buf = '';
  const serving = new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const o = JSON.parse(line) as Record<string, unknown>;
          lines.push(o);
          if (o.msg === 'serving') {
            r.address = String(o.address);
            r.http = String(o.http);
            resolve();
          }
        } catch {
          lines.push({ raw: line });
        }
      }
    });
    void exited.then((code) => {
      reject(new Error(`node ${id} exited with ${String(code)}: ${JSON.stringify(lines.slice(-3))}`));
    });
  });
  nodes.set(id, r);
  await serving;
  return r;
}

/** Runs a walraft command to completion. */
export function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body });
        });
      })
      .on('error', reject);
  });
}
