import type { CheckResult, Op, OpValue } from '../history';

// The bank workload: atomic transfers between a fixed set of accounts, never overdrawing one, and reads of
// every balance. Whatever interleaving the database chose, every read must see the same total money, only the
// configured accounts, and no negative balance.

export interface BankOptions {
  readonly accounts: readonly number[];
  /** The sum of all balances, constant under transfers. */
  readonly total: number;
  /** Anomaly lines written out per kind before the rest are only counted (default 20). */
  readonly maxLinesPerKind?: number;
}

type ReadValue = { f: 'read'; balances?: Record<string, number> };

function asRead(op: Op): ReadValue | undefined {
  const v: OpValue = op.value;
  return v.f === 'read' && 'balances' in v ? v : undefined;
}

export function checkBank(history: readonly Op[], opts: BankOptions): CheckResult {
  const limit = opts.maxLinesPerKind ?? 20;
  const accounts = new Set(opts.accounts.map(String));
  const stats = {
    reads: 0,
    transfersOk: 0,
    transfersFail: 0,
    transfersInfo: 0,
    unresolved: 0,
    badTotals: 0,
    badAccounts: 0,
    negative: 0,
  };
  const lines: Record<'total' | 'accounts' | 'negative', string[]> = { total: [], accounts: [], negative: [] };
  for (const op of history) {
    const v: OpValue = op.value;
    if (v.f === 'transfer') {
      if (op.outcome === 'ok') stats.transfersOk++;
      else if (op.outcome === 'fail') stats.transfersFail++;
      else {
        stats.transfersInfo++;
        if (op.recovered === undefined) stats.unresolved++;
      }
      continue;
    }
    const balances = asRead(op)?.balances;
    if (op.outcome !== 'ok' || balances === undefined) continue;
    stats.reads++;
    const at = `p${op.process} read [${op.invoke},${op.complete}]`;

    const keys = Object.keys(balances);
    const missing = [...accounts].filter((a) => !Object.hasOwn(balances, a));
    const unknown = keys.filter((k) => !accounts.has(k));
    const notNumbers = keys.filter((k) => !Number.isFinite(balances[k]));
    if (missing.length > 0 || unknown.length > 0 || notNumbers.length > 0) {
      stats.badAccounts++;
      const parts = [
        missing.length > 0 ? `missing account(s) ${missing.join(', ')}` : '',
        unknown.length > 0 ? `unknown account(s) ${unknown.join(', ')}` : '',
        notNumbers.length > 0 ? `non-numeric balance(s) for ${notNumbers.join(', ')}` : '',
      ];
      lines.accounts.push(`bad accounts: ${at} has ${parts.filter((p) => p !== '').join('; ')}`);
    }

    const negative = keys.filter((k) => (balances[k] ?? 0) < 0);
    if (negative.length > 0) {
      stats.negative++;
      const list = negative.map((k) => `${k}=${balances[k] ?? 0}`).join(', ');
      lines.negative.push(`negative balance: ${at} has ${list}`);
    }

    // A read with the wrong accounts is already reported; its sum says nothing more.
    if (missing.length === 0 && unknown.length === 0 && notNumbers.length === 0) {
      const sum = keys.reduce((s, k) => s + (balances[k] ?? 0), 0);
      if (sum !== opts.total) {
        stats.badTotals++;
        lines.total.push(`wrong total: ${at} sums to ${sum}, expected ${opts.total}`);
      }
    }
  }

  const anomalies: string[] = [];
  if (stats.reads === 0) anomalies.push('no final read: no read completed ok');
  if (stats.unresolved > 0) anomalies.push(`unresolved: ${stats.unresolved} info transfers were never resolved`);
  anomalies.push(
    ...capped('wrong total', lines.total, limit),
    ...capped('bad accounts', lines.accounts, limit),
    ...capped('negative balance', lines.negative, limit),
  );
  return { valid: anomalies.length === 0, anomalies, stats };
}

function capped(kind: string, lines: readonly string[], limit: number): string[] {
  if (lines.length <= limit) return [...lines];
  return [...lines.slice(0, limit), `${kind}: ${lines.length - limit} more not shown`];
}
