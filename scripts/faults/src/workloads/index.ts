import { appendWorkload } from './append';
import { bankWorkload } from './bank';
import { registerWorkload } from './register';
import { setWorkload } from './set';
import type { Workload, WorkloadOptions } from './workload';

export const workloadNames = ['set', 'bank', 'append', 'register'] as const;
export type WorkloadName = (typeof workloadNames)[number];

export function makeWorkload(name: WorkloadName, o: WorkloadOptions): Workload {
  switch (name) {
    case 'set':
      return setWorkload(o);
    case 'bank':
      return bankWorkload(o);
    case 'append':
      return appendWorkload(o);
    case 'register':
      return registerWorkload(o);
  }
}
