// Original file: proto/client.proto


export interface HashRequest {
  'db'?: (string);
}

export interface HashRequest__Output {
  'db': (string);
}
