import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';

/** The `walraft` command's entry point. */
export const walraftBin = path.join(__dirname, '..', '..', 'bin', 'walraft.js');

/** What a node's `GET /status` reports (the fields the harnesses read). */
export interface NodeHttpStatus {
  role: string;
  term: number;
  leader: number;
  commitIndex: number;
  appliedIndex: number;
  members: { id: number; address: string; voter: boolean }[];
}

/** How a node process ended, when nobody asked it to. */
export interface NodeExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface NodeProcessOptions {
  readonly id: number;
  readonly dataDir: string;
  /** Its stderr (the JSON log) is appended here. */
  readonly logFile: string;
  /** Node.js flags for the process, e.g. ['--require', hook]. */
  readonly execArgv?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * One `walraft start` process for demos and fault runs: start, kill -9, pause (SIGSTOP) and restart on the
 * same data dir; a restart comes back on the same ports. Exits that nobody asked for are recorded.
 */
export class NodeProcess {
  readonly id: number;
  readonly dataDir: string;
  readonly logFile: string;
  address = '';
  httpAddress = '';
  /** Exits that were not caused by kill() (crashes, fatal errors). */
  readonly unexpectedExits: NodeExit[] = [];
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #listen = '127.0.0.1:0';
  #http = '127.0.0.1:0';
  #killing = false;
  #paused = false;

  constructor(private readonly o: NodeProcessOptions) {
    this.id = o.id;
    this.dataDir = o.dataDir;
    this.logFile = o.logFile;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  get paused(): boolean {
    return this.#paused;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Starts the node with these extra flags (e.g. ['--bootstrap']); resolves once it serves. */
  async start(flags: readonly string[] = []): Promise<void> {
    if (this.#child) throw new Error(`node ${this.id} is running`);
    const log = fs.openSync(this.logFile, 'a');
    const child = spawn(
      process.execPath,
      [
        ...(this.o.execArgv ?? []),
        walraftBin,
        'start',
        '--id',
        String(this.id),
        '--data',
        this.dataDir,
        '--listen',
        this.#listen,
        '--http',
        this.#http,
        ...flags,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], ...(this.o.env ? { env: this.o.env } : {}) },
    );
    this.#child = child;
    this.#killing = false;
    this.#paused = false;
    this.#exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        if (this.#child === child) this.#child = undefined;
        if (!this.#killing) this.unexpectedExits.push({ code, signal });
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

  /** kill -9 (or another fatal signal); resolves once the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#killing = true;
    child.kill(signal);
    // a stopped process handles no signal but SIGKILL until it runs again
    if (this.#paused && signal !== 'SIGKILL') child.kill('SIGCONT');
    await this.#exited;
  }

  /** SIGSTOP: the process freezes with its sockets open. */
  pause(): void {
    if (!this.#child || this.#paused) return;
    this.#child.kill('SIGSTOP');
    this.#paused = true;
  }

  /** SIGCONT */
  resume(): void {
    if (!this.#child || !this.#paused) return;
    this.#child.kill('SIGCONT');
    this.#paused = false;
  }

  /** Sends a signal the node handles itself. */
  signal(signal: NodeJS.Signals): void {
    this.#child?.kill(signal);
  }

  /** Resolves when the process exits (at once when it is not running). */
  exited(): Promise<void> {
    return this.#exited;
  }

  /** The node's /status, or undefined when it does not answer. */
  status(timeoutMs = 500): Promise<NodeHttpStatus | undefined> {
    if (!this.running || this.#paused) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const req = http.get(`http://${this.httpAddress}/status`, { timeout: timeoutMs }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => {
          try {
            resolve(JSON.parse(body) as NodeHttpStatus);
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
export function runWalraft(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [walraftBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => {
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}
