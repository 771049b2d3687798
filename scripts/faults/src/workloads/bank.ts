import type { Database } from 'walraft';
import { checkBank } from '../checkers';
import type { BankOp } from '../history';
import type { Workload, WorkloadOptions } from './workload';
import { pick, Refused } from './workload';

const accounts = [0, 1, 2, 3, 4];
const initial = 100;

/** Transfers between accounts in interactive transactions (overdrafts refused), and reads of every balance. */
export function bankWorkload(o: WorkloadOptions): Workload<BankOp> {
  return {
    name: 'bank',
    async setup(db: Database) {
      await db.transaction(async (tx) => {
        await tx.exec('CREATE TABLE IF NOT EXISTS accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)');
        for (const id of accounts) {
          await tx.run('INSERT OR IGNORE INTO accounts (id, balance) VALUES (?, ?)', [id, initial]);
        }
      });
    },
    next(): BankOp {
      if (o.random() < 0.3) return { f: 'read' };
      const from = pick(o.random, accounts.length);
      const to = (from + 1 + pick(o.random, accounts.length - 1)) % accounts.length;
      return { f: 'transfer', from, to, amount: 1 + pick(o.random, 10) };
    },
    async invoke(db, op, consistency) {
      if (op.f === 'read') {
        const rows = await db.all('SELECT id, balance FROM accounts', [], { consistency });
        return {
          outcome: 'ok',
          value: { f: 'read', balances: Object.fromEntries(rows.map((r) => [String(r.id), Number(r.balance)])) },
        };
      }
      try {
        await db.transaction(async (tx) => {
          const row = await tx.get('SELECT balance FROM accounts WHERE id = ?', [op.from]);
          if (!row || Number(row.balance) < op.amount) throw new Refused('insufficient funds');
          await tx.run('UPDATE accounts SET balance = balance - ? WHERE id = ?', [op.amount, op.from]);
          await tx.run('UPDATE accounts SET balance = balance + ? WHERE id = ?', [op.amount, op.to]);
        });
      } catch (err) {
        if (err instanceof Refused) return { outcome: 'fail', value: op, error: err.code };
        throw err;
      }
      return { outcome: 'ok', value: op };
    },
    writes: (op) => op.f === 'transfer',
    finalReads: () => [{ f: 'read' }],
    check: (history) => checkBank(history, { accounts, total: initial * accounts.length }),
  };
}
