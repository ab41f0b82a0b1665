/**
 * A small client of the hub's HTTP API for tests: JSON in and out, the
 * status kept, the key sent unless told otherwise.
 */
export interface ApiAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export class ApiClient {
  constructor(
    readonly base: string,
    readonly key: string | undefined,
  ) {}

  async request<T = any>(method: string, path: string, body?: unknown, opts: { key?: string | null; headers?: Record<string, string>; raw?: string } = {}): Promise<ApiAnswer<T>> {
    const key = opts.key === null ? undefined : (opts.key ?? this.key);
    const headers: Record<string, string> = { ...(key !== undefined ? { authorization: `Bearer ${key}` } : {}), ...opts.headers };
    let payload: string | undefined = opts.raw;
    if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.base + path, { method, headers, body: payload });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // left as text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body ?? {});
  }
  put<T = any>(path: string, body?: unknown) {
    return this.request<T>('PUT', path, body ?? {});
  }
  patch<T = any>(path: string, body?: unknown) {
    return this.request<T>('PATCH', path, body ?? {});
  }
  delete<T = any>(path: string) {
    return this.request<T>('DELETE', path);
  }

  /** Throws unless the status is `expected`; the body. */
  async ok<T = any>(method: string, path: string, body?: unknown, expected = [200, 201]): Promise<T> {
    const r = await this.request<T>(method, path, body);
    if (!expected.includes(r.status)) throw new Error(`${method} ${path}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }
}
