/**
 * Requests waiting for their response, by JSON-RPC id: each one settles
 * exactly once, by its response, its timeout or the end of its connection.
 */
import { RpcError, type RpcErrorObject } from '@next-chat/core';
import { ConnectionClosedError, RequestTimeoutError } from './errors.js';

export interface PendingRequest {
  method: string;
  params: unknown;
}

interface Entry extends PendingRequest {
  resolve(result: unknown): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class PendingRequests {
  readonly #byId = new Map<number, Entry>();
  #nextId = 1;

  /**
   * Registers a request and hands its id to `send`; the promise settles with
   * the result, an `RpcError`, a `RequestTimeoutError`, or whatever `send` throws.
   */
  add(method: string, params: unknown, timeoutMs: number, send: (id: number) => void): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#byId.delete(id);
        reject(new RequestTimeoutError(method, timeoutMs));
      }, timeoutMs);
      this.#byId.set(id, { method, params, resolve, reject, timer });
      try {
        send(id);
      } catch (err) {
        clearTimeout(timer);
        this.#byId.delete(id);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /**
   * Settles the request a response frame answers. `beforeResolve` runs
   * synchronously for a success, before any later frame is looked at.
   * Returns false for an unknown id (timed out already).
   */
  settle(
    id: unknown,
    outcome: { result?: unknown; error?: RpcErrorObject },
    beforeResolve: (req: PendingRequest, result: unknown) => void,
  ): boolean {
    const entry = typeof id === 'number' ? this.#byId.get(id) : undefined;
    if (!entry) return false;
    this.#byId.delete(id as number);
    clearTimeout(entry.timer);
    if (outcome.error) {
      entry.reject(RpcError.from(outcome.error));
    } else {
      beforeResolve(entry, outcome.result);
      entry.resolve(outcome.result);
    }
    return true;
  }

  /** Rejects everything in flight: the connection closed. */
  closeAll(code: number, reason: string): void {
    for (const [id, entry] of this.#byId) {
      clearTimeout(entry.timer);
      this.#byId.delete(id);
      entry.reject(new ConnectionClosedError(entry.method, code, reason));
    }
  }
}
