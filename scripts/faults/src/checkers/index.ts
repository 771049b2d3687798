import type { CheckResult, Op } from '../history';
import type { AppendOptions } from './append';
import { checkAppend } from './append';
import type { BankOptions } from './bank';
import { checkBank } from './bank';
import type { RegisterOptions } from './register';
import { checkRegister } from './register';
import type { SetOptions } from './set';
import { checkSet } from './set';

export { checkAppend, checkBank, checkRegister, checkSet };
export type { AppendOptions, BankOptions, RegisterOptions, SetOptions };

export type Workload = 'set' | 'bank' | 'register' | 'append';

/** Options for any workload's checker; the bank checker needs `accounts` and `total`. */
export type CheckOptions = SetOptions & RegisterOptions & AppendOptions & Partial<BankOptions>;

/** Checks a history with its workload's checker. Throws for `bank` without `accounts` and `total`. */
export function check(workload: 'bank', history: readonly Op[], opts: BankOptions & CheckOptions): CheckResult;
export function check(workload: Workload, history: readonly Op[], opts?: CheckOptions): CheckResult;
export function check(workload: Workload, history: readonly Op[], opts: CheckOptions = {}): CheckResult {
  switch (workload) {
    case 'set':
      return checkSet(history, opts);
    case 'register':
      return checkRegister(history, opts);
    case 'append':
      return checkAppend(history, opts);
    case 'bank': {
      const { accounts, total } = opts;
      if (accounts === undefined || total === undefined) {
        throw new Error('the bank checker needs the accounts and their total');
      }
      return checkBank(history, { ...opts, accounts, total });
    }
  }
}
