import type { Consistency, Database, Transaction } from 'walraft';
import { CommandFailed, UsageError } from '../errors';
import { formatTable, toJson } from '../format';
import { splitStatements } from '../sql-split';
import type { ClusterFlags } from './cluster';
import { withClient } from './cluster';

export interface ShellFlags extends ClusterFlags {
  readonly db: string;
  readonly consistency: string;
  readonly execute?: string[];
}

export function checkConsistency(c: string): Consistency {
  if (c === 'linearizable' || c === 'weak' || c === 'none') return c;
  throw new UsageError(`consistency must be linearizable, weak or none, not "${c}"`);
}

/** The statements a shell runs, with BEGIN … COMMIT/ROLLBACK turned into an interactive transaction. */
export class StatementRunner {
  #tx: Transaction | undefined;
  consistency: Consistency;

  constructor(
    private readonly db: Database,
    consistency: Consistency,
  ) {
    this.consistency = consistency;
  }

  get inTransaction(): boolean {
    return this.#tx !== undefined;
  }

  /** Runs one statement; resolves with its rows (empty for statements without results). */
  async run(sql: string): Promise<Record<string, unknown>[]> {
    const word = /^\s*([A-Za-z]+)/.exec(sql)?.[1]?.toUpperCase();
    if (word === 'BEGIN') {
      if (this.#tx) throw new CommandFailed('a transaction is already open');
      this.#tx = await this.db.begin();
      return [];
    }
    if (word === 'COMMIT' || word === 'END') {
      const tx = this.#tx;
      if (!tx) throw new CommandFailed('no transaction is open');
      this.#tx = undefined;
      await tx.commit();
      return [];
    }
    if (word === 'ROLLBACK' && !/\bTO\b/i.test(sql)) {
      const tx = this.#tx;
      if (!tx) throw new CommandFailed('no transaction is open');
      this.#tx = undefined;
      await tx.rollback();
      return [];
    }
    if (this.#tx) return this.#tx.all(sql);
    return this.db.all(sql, [], { consistency: this.consistency });
  }

  async close(): Promise<void> {
    const tx = this.#tx;
    this.#tx = undefined;
    if (tx) await tx.rollback();
  }
}

/** `shell -e SQL`: runs the statements in order, prints what they return, stops at the first error. */
export async function executeStatements(flags: ShellFlags, out: (s: string) => void): Promise<number> {
  const consistency = checkConsistency(flags.consistency);
  const sql = (flags.execute ?? []).join(';\n');
  const { statements, rest } = splitStatements(sql);
  if (rest.trim() !== '') statements.push(rest.trim());
  return withClient(flags, async (client) => {
    const db = await client.open(flags.db);
    const runner = new StatementRunner(db, consistency);
    try {
      for (const s of statements) {
        let rows: Record<string, unknown>[];
        try {
          rows = await runner.run(s);
        } catch (err) {
          const e = err as Error & { code?: string };
          throw new CommandFailed(`${e.message}${e.code ? ` (${e.code})` : ''}\n  in: ${s}`);
        }
        if (rows.length > 0 || flags.json) out(flags.json ? toJson(rows) : formatTable(rows));
      }
    } finally {
      await runner.close();
    }
    return 0;
  });
}
