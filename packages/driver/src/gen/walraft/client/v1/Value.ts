// Original file: proto/client.proto

import type { Long } from '@grpc/proto-loader';

export interface Value {
  'null'?: (boolean);
  'integer'?: (number | string | Long);
  'real'?: (number | string);
  'text'?: (string);
  'blob'?: (Buffer | Uint8Array | string);
  'kind'?: "null"|"integer"|"real"|"text"|"blob";
}

export interface Value__Output {
  'null'?: (boolean);
  'integer'?: (string);
  'real'?: (number);
  'text'?: (string);
  'blob'?: (Buffer);
  'kind'?: "null"|"integer"|"real"|"text"|"blob";
}
