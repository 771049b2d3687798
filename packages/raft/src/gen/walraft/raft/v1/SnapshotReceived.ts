// Original file: proto/raft.proto


export interface SnapshotReceived {
}

export interface SnapshotReceived__Output {
}
