import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { pickListenPort } from './listen-port';

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
  /** The process exited before it announced it was serving (start() rejected with this exit). */
  readonly duringStart: boolean;
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

/** A start that failed only because its listening port was taken. */
class PortInUseError extends Error {}

/** How long a restart waits for its port to be free again (another process probing it, say). */
const restartBindWindowMs = 10_000;

/**
 * One `walraft start` process for demos and fault runs: start, kill -9, pause (SIGSTOP) and restart on the
 * same data dir; a restart comes back on the same Raft address (its HTTP port may change). Exits that
 * nobody asked for are recorded.
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
  /** Fixed at the first successful start: the members dial it. */
  #listen: string | undefined;
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
    const fixed = this.#listen;
    const deadline = performance.now() + restartBindWindowMs;
    for (let attempt = 1; ; attempt++) {
      const listen = fixed ?? `127.0.0.1:${await pickListenPort()}`;
      try {
        await this.#spawn(listen, flags);
        this.#listen = listen;
        return;
      } catch (err) {
        if (!(err instanceof PortInUseError)) throw err;
        // a first start takes another port (nothing was written: the node binds before it initialises its
        // data); a restart must come back on its address and waits for it
        if (fixed === undefined ? attempt >= 5 : performance.now() >= deadline) {
          throw new Error(`node ${this.id} could not bind ${listen}: address in use (see ${this.logFile})`, {
            cause: err,
          });
        }
        if (fixed !== undefined) await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  async #spawn(listen: string, flags: readonly string[]): Promise<void> {
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
        listen,
        '--http',
        '127.0.0.1:0',
        ...flags,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], ...(this.o.env ? { env: this.o.env } : {}) },
    );
    this.#child = child;
    this.#killing = false;
    this.#paused = false;
    // a start that found its port taken is retried by start(); it is not an exit of the node
    let portInUse = false;
    let serving = false;
    this.#exited = new Promise((resolve) =>
      // 'close', not 'exit': by then all of stderr has been read (the port-in-use line included)
      child.on('close', (code, signal) => {
        if (this.#child === child) this.#child = undefined;
        if (!this.#killing && !portInUse) this.unexpectedExits.push({ code, signal, duringStart: !serving });
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
          if (line.includes('EADDRINUSE') && line.includes(listen)) portInUse = true;
          if (!line.includes('"serving"')) continue;
          const o = JSON.parse(line) as { address: string; http: string };
          this.address = o.address;
          this.httpAddress = o.http;
          serving = true;
          resolve();
        }
      });
      void this.#exited.then(() => {
        if (portInUse) reject(new PortInUseError(listen));
        else reject(new Error(`node ${this.id} exited during start-up (see ${this.logFile})`));
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
