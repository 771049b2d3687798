// Original file: proto/client.proto

export const Mode = {
  MODE_RUN: 'MODE_RUN',
  MODE_ALL: 'MODE_ALL',
  MODE_EXEC: 'MODE_EXEC',
} as const;

export type Mode =
  | 'MODE_RUN'
  | 0
  | 'MODE_ALL'
  | 1
  | 'MODE_EXEC'
  | 2

export type Mode__Output = typeof Mode[keyof typeof Mode]
