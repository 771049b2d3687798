// Original file: proto/client.proto


export interface BackupRequest {
  'db'?: (string);
}

export interface BackupRequest__Output {
  'db': (string);
}
