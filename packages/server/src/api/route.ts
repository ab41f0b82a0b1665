/**
 * One route of the HTTP API as data: method, path template, the zod
 * schemas of its path, query and body (the protocol's own, from
 * @next-chat/core), and its handler. The server validates with these
 * schemas and the OpenAPI document is generated from them, so the two
 * cannot disagree.
 */
import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

type AnyObject = z.ZodObject<z.ZodRawShape>;

export interface RouteInput<P extends AnyObject, Q extends AnyObject, B extends AnyObject> {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
}

/** What a handler answers: the body, and a status other than the route's own when it must (a retried post: 200, not 201). */
export interface Answer {
  status?: number;
  body: unknown;
}

export interface RouteSpec<P extends AnyObject, Q extends AnyObject, B extends AnyObject> {
  method: HttpMethod;
  /** Under /api/v1, with `{name}` for path parameters: `/groups/{groupId}/members/{userId}`. */
  path: string;
  /** OpenAPI operationId. */
  id: string;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  /** The success status (200 unless given). */
  status?: number;
  /** What the success body holds, for the document. */
  result: string;
  /** The refusals this route may answer besides 400 and 401, for the document. */
  refusals?: number[];
  /** False only for the document itself. */
  auth?: boolean;
  handle(input: RouteInput<P, Q, B>): Promise<Answer>;
}

/** A route with its types erased, as the server and the document generator hold them. */
export interface Route {
  method: HttpMethod;
  path: string;
  id: string;
  summary: string;
  tag: string;
  params?: AnyObject;
  query?: AnyObject;
  body?: AnyObject;
  status: number;
  result: string;
  refusals: number[];
  auth: boolean;
  handle(input: { params: unknown; query: unknown; body: unknown }): Promise<Answer>;
}

export function route<P extends AnyObject, Q extends AnyObject, B extends AnyObject>(spec: RouteSpec<P, Q, B>): Route {
  return {
    ...spec,
    status: spec.status ?? 200,
    refusals: spec.refusals ?? [],
    auth: spec.auth ?? true,
    handle: (input) => spec.handle(input as RouteInput<P, Q, B>),
  };
}

/** The path's segments, `{name}` ones as parameters: what the server matches against. */
export function segments(path: string): { literal: string | null; param: string | null }[] {
  return path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => (s.startsWith('{') && s.endsWith('}') ? { literal: null, param: s.slice(1, -1) } : { literal: s, param: null }));
}
