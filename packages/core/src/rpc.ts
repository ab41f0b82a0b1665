/** JSON-RPC 2.0 frame shapes of docs/protocol.md §2. */
import type { RpcErrorObject } from './errors.js';

export type RpcId = string | number | null;

export interface RpcRequest {
  jsonrpc: '2.0';
  id?: RpcId;
  method: string;
  params?: unknown;
}

export interface RpcSuccess<T = unknown> {
  jsonrpc: '2.0';
  id: RpcId;
  result: T;
}

export interface RpcFailure {
  jsonrpc: '2.0';
  id: RpcId;
  error: RpcErrorObject;
}

export interface RpcNotification<T = unknown> {
  jsonrpc: '2.0';
  method: string;
  params: T;
}

export type ServerFrame = RpcSuccess | RpcFailure | RpcNotification;
