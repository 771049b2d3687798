// Original file: proto/client.proto


export interface OpenRequest {
  'db'?: (string);
  'create'?: (boolean);
  'pageSize'?: (number);
}

export interface OpenRequest__Output {
  'db': (string);
  'create': (boolean);
  'pageSize': (number);
}
