import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';

const bin = path.join(__dirname, '..', '..', 'packages', 'cli', 'bin', 'walraft.js');

export interface NodeStatus {
  role: string;
  term: number;
  leader: number;
  commitIndex: number;
  appliedIndex: number;
}

/** One `walraft start` process; kill -9 and restart it on the same data dir (it keeps its ports). */
export class NodeProcess {
  address = '';
  httpAddress = '';
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #listen = '127.0.0.1:0';
  #http = '127.0.0.1:0';

  constructor(
    readonly id: number,
    readonly dataDir: string,
    readonly logFile: string,
  ) {}

  get running(): boolean {
    return this.#child !== undefined;
  }

  /** Starts the node; resolves once it serves. */
  async start(how: string[]): Promise<void> {
    const log = fs.openSync(this.logFile, 'a');
    const child = spawn(
      process.execPath,
      [
        bin,
        'start',
        '--id',
        String(this.id),
        '--data',
        this.dataDir,
        '--listen',
        this.#listen,
        '--http',
        this.#http,
        ...how,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.#child = child;
    this.#exited = new Promise((resolve) =>
      child.on('exit', () => {
        if (this.#child === child) this.#child = undefined;
        fs.closeSync(log);
        resolve();
      }),
    );
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      child.stderr?.on('data', (d: Buffer) => {
        fs.writeSync(log, d);
        buf += d.toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (!line.includes('"serving"')) continue;
          const o = JSON.parse(line) as { address: string; http: string };
          this.address = o.address;
          this.httpAddress = o.http;
          // a restart comes back on the same ports
          this.#listen = o.address;
          this.#http = o.http;
          resolve();
        }
      });
      void this.#exited.then(() => {
        reject(new Error(`node ${this.id} exited during start-up (see ${this.logFile})`));
      });
    });
  }

  /** kill -9; resolves once the process is gone. */
  async kill(): Promise<void> {
    this.#child?.kill('SIGKILL');
    await this.#exited;
  }

  /** The node's /status, or undefined when it does not answer. */
  status(): Promise<NodeStatus | undefined> {
    if (!this.running) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const req = http.get(`http://${this.httpAddress}/status`, { timeout: 500 }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => {
          try {
            resolve(JSON.parse(body) as NodeStatus);
          } catch {
            resolve(undefined);
          }
        });
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => {
        resolve(undefined);
      });
    });
  }
}

/** Runs a walraft command to completion; resolves with its exit code and output. */
export function walraft(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => {
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}
