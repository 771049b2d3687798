// Original file: proto/raft.proto


export interface ReadIndex {
  'ctx'?: (Buffer | Uint8Array | string);
}

export interface ReadIndex__Output {
  'ctx': (Buffer);
}
