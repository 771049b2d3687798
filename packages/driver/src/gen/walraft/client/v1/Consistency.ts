// Original file: proto/client.proto

export const Consistency = {
  LINEARIZABLE: 'LINEARIZABLE',
  WEAK: 'WEAK',
  NONE: 'NONE',
} as const;

export type Consistency =
  | 'LINEARIZABLE'
  | 0
  | 'WEAK'
  | 1
  | 'NONE'
  | 2

export type Consistency__Output = typeof Consistency[keyof typeof Consistency]
