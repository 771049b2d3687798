import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { Client, Database } from 'walraft';
import { parseId } from '../addresses';
import { formatTable } from '../format';
import { splitStatements } from '../sql-split';
import type { ShellFlags } from './shell';
import { checkConsistency, StatementRunner } from './shell';

const help = `Enter SQL statements terminated by ";" (they may span lines), or a dot-command:
  .help                 this text
  .tables               the tables of the database
  .schema [TABLE]       CREATE statements (of one table)
  .leader               the leader's id and address
  .cluster              the members
  .status               the attached node's status
  .consistency [LEVEL]  show or set the read consistency: linearizable, weak or none
  .timer on|off         print each statement's time
  .transfer [ID]        hand leadership to node ID (or the most caught-up voter)
  .remove ID            remove node ID from the cluster
  .backup FILE          an online, consistent copy of this database as a plain SQLite file
  .quit                 leave (also Ctrl-D)
BEGIN … COMMIT (or ROLLBACK) runs the statements between as one interactive transaction.`;

const historyFile = (): string => process.env.WALRAFT_HISTORY ?? path.join(os.homedir(), '.walraft_history');
const maxHistory = 1000;

function loadHistory(): string[] {
  try {
    return fs.readFileSync(historyFile(), 'utf8').split('\n').filter(Boolean).reverse().slice(0, maxHistory);
  } catch {
    return [];
  }
}

function saveHistory(lines: readonly string[]): void {
  try {
    fs.writeFileSync(historyFile(), `${[...lines].reverse().slice(-maxHistory).join('\n')}\n`, { mode: 0o600 });
  } catch {
    // a history that cannot be saved is not worth failing the session for
  }
}

/** The interactive SQL shell: line editing and history, multi-line statements, aligned tables. */
export class Repl {
  readonly #runner: StatementRunner;
  #timer = false;
  #pending = '';

  constructor(
    private readonly client: Client,
    private readonly db: Database,
    private readonly flags: ShellFlags,
    private readonly out: (s: string) => void,
  ) {
    this.#runner = new StatementRunner(db, checkConsistency(flags.consistency));
  }

  async run(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<number> {
    const terminal = (input as { isTTY?: boolean }).isTTY === true;
    const rl = readline.createInterface({ input, output, history: loadHistory(), historySize: maxHistory, terminal });
    this.out(`walraft shell: database ${this.db.name} via ${this.client.attachedTo}; .help for help`);
    const prompt = (): void => {
      rl.setPrompt(this.#pending ? '   ...> ' : this.#runner.inTransaction ? 'walraft*> ' : 'walraft> ');
      rl.prompt();
    };
    let busy: Promise<void> = Promise.resolve();
    let quit = false;
    const done = new Promise<void>((resolve) => {
      rl.on('close', () => {
        resolve();
      });
    });
    rl.on('line', (line) => {
      busy = busy.then(async () => {
        if (quit) return;
        if (await this.#line(line)) {
          quit = true;
          rl.close();
          return;
        }
        prompt();
      });
    });
    prompt();
    await done;
    await busy;
    saveHistory((rl as unknown as { history: string[] }).history);
    await this.#runner.close();
    return 0;
  }

  /** Handles one input line; true to quit. */
  async #line(line: string): Promise<boolean> {
    if (this.#pending === '' && line.trim().startsWith('.')) return this.#dot(line.trim());
    this.#pending += `${line}\n`;
    const { statements, rest } = splitStatements(this.#pending);
    this.#pending = rest.trim() === '' ? '' : rest;
    for (const s of statements) await this.#statement(s);
    return false;
  }

  async #statement(sql: string): Promise<void> {
    const t0 = performance.now();
    try {
      const rows = await this.#runner.run(sql);
      if (rows.length > 0) this.out(formatTable(rows));
    } catch (err) {
      const e = err as Error & { code?: string };
      this.out(`error: ${e.message}${e.code ? ` (${e.code})` : ''}`);
    }
    if (this.#timer) this.out(`time: ${(performance.now() - t0).toFixed(1)} ms`);
  }

  async #dot(line: string): Promise<boolean> {
    const [cmd = '', ...args] = line.split(/\s+/);
    try {
      switch (cmd) {
        case '.quit':
        case '.exit':
          return true;
        case '.help':
          this.out(help);
          break;
        case '.tables': {
          const rows = await this.db.all(
            "SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_walraft\\_%' ESCAPE '\\' ORDER BY name",
            [],
            { consistency: this.#runner.consistency },
          );
          this.out(rows.map((r) => r.name as string).join('  '));
          break;
        }
        case '.schema': {
          const rows = await this.db.all(
            `SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE '\\_walraft\\_%' ESCAPE '\\'${args[0] ? ' AND tbl_name = ?' : ''} ORDER BY rowid`,
            args[0] ? [args[0]] : [],
            { consistency: this.#runner.consistency },
          );
          for (const r of rows) this.out(`${r.sql as string};`);
          break;
        }
        case '.leader': {
          const leader = (await this.client.cluster()).find((m) => m.leader);
          this.out(leader ? `node ${leader.id} at ${leader.address}` : 'no leader known');
          break;
        }
        case '.cluster':
          this.out(
            formatTable(
              (await this.client.cluster()).map((m) => ({
                ...m,
                voter: m.voter ? 'yes' : 'learner',
                leader: m.leader ? 'yes' : '',
              })),
            ),
          );
          break;
        case '.status': {
          const s = await this.client.status();
          this.out(
            formatTable([
              {
                node: s.id,
                role: s.role,
                term: s.term,
                leader: s.leader,
                commit: s.commitIndex,
                applied: s.appliedIndex,
                last: s.lastIndex,
              },
            ]),
          );
          break;
        }
        case '.consistency':
          if (args[0]) this.#runner.consistency = checkConsistency(args[0]);
          this.out(`reads: ${this.#runner.consistency}`);
          break;
        case '.timer':
          if (args[0] !== 'on' && args[0] !== 'off') throw new Error('.timer on|off');
          this.#timer = args[0] === 'on';
          break;
        case '.transfer': {
          const to = args[0] ? parseId(args[0]) : 0;
          this.out(`node ${await this.client.transferLeadership(to)} is the leader`);
          break;
        }
        case '.remove': {
          if (!args[0]) throw new Error('.remove ID');
          const id = parseId(args[0]);
          await this.client.removeNode(id);
          this.out(`node ${id} removed`);
          break;
        }
        case '.backup': {
          if (!args[0]) throw new Error('.backup FILE');
          const r = await this.client.backup(this.db.name, path.resolve(args[0]));
          this.out(`${r.bytes} bytes at applied index ${r.appliedIndex} written to ${path.resolve(args[0])}`);
          break;
        }
        default:
          this.out(`unknown command ${cmd}: .help lists them`);
      }
    } catch (err) {
      const e = err as Error & { code?: string };
      this.out(`error: ${e.message}${e.code ? ` (${e.code})` : ''}`);
    }
    return false;
  }
}

/** `walraft shell` without -e: the interactive shell on this terminal. */
export async function interactive(flags: ShellFlags, client: Client, out: (s: string) => void): Promise<number> {
  const db = await client.open(flags.db);
  return new Repl(client, db, flags, out).run(process.stdin, process.stdout);
}
