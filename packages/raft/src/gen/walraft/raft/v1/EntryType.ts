// Original file: proto/raft.proto

export const EntryType = {
  ENTRY_NORMAL: 'ENTRY_NORMAL',
  ENTRY_CONF_CHANGE: 'ENTRY_CONF_CHANGE',
  ENTRY_NOOP: 'ENTRY_NOOP',
} as const;

export type EntryType =
  | 'ENTRY_NORMAL'
  | 0
  | 'ENTRY_CONF_CHANGE'
  | 1
  | 'ENTRY_NOOP'
  | 2

export type EntryType__Output = typeof EntryType[keyof typeof EntryType]
