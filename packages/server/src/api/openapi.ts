/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the route table
 * (operations.ts): paths, parameters and request bodies are the JSON
 * Schema (2020-12, OpenAPI 3.1's dialect) of the very zod schemas the
 * server validates with. Served at /api/v1/openapi.json.
 */
import { z } from 'zod';
import type { Route } from './route.js';

export const API_BASE = '/api/v1';

const STATUS_TEXT: Record<number, string> = {
  400: 'Invalid input: `field` names the first bad one',
  401: 'No API key, or not one of NEXT_CHAT_API_KEYS',
  403: 'Not allowed (a direct conversation, a banned user)',
  404: 'No such group, message or dead letter',
  409: 'Conflicts with the state (the id is taken, the room is full, the author is not a member)',
  413: 'Body over 1 MiB',
  415: 'Body not sent as application/json',
  429: 'Rate limited',
  503: 'A backend (Redis, MySQL) is unreachable; retry after `retryAfterMs`',
};

type JsonSchema = Record<string, unknown>;

function schemaOf(s: z.ZodType): JsonSchema {
  const j = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete j.$schema;
  return j;
}

function parameters(where: 'path' | 'query', o: z.ZodObject<z.ZodRawShape> | undefined): JsonSchema[] {
  if (!o) return [];
  const whole = schemaOf(o);
  const required = new Set((whole.required as string[] | undefined) ?? []);
  const props = (whole.properties ?? {}) as Record<string, JsonSchema>;
  return Object.entries(props).map(([name, schema]) => ({ name, in: where, required: where === 'path' || required.has(name), schema }));
}

function operation(r: Route): JsonSchema {
  const responses: Record<string, JsonSchema> = {
    [String(r.status)]: { description: r.result, content: { 'application/json': { schema: { type: 'object' } } } },
  };
  const refusals = new Set([400, ...(r.auth ? [401] : []), ...(r.body ? [413, 415] : []), ...r.refusals, 503]);
  for (const code of [...refusals].sort()) {
    responses[String(code)] = { description: STATUS_TEXT[code] ?? 'Refused', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  }
  return {
    operationId: r.id,
    summary: r.summary,
    tags: [r.tag],
    ...(r.auth ? {} : { security: [] }),
    parameters: [...parameters('path', r.params), ...parameters('query', r.query)],
    ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(r.body) } } } } : {}),
    responses,
  };
}

export function openApiDocument(routes: readonly Route[], version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const r of routes) (paths[r.path] ??= {})[r.method.toLowerCase()] = operation(r);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Next Chat HTTP API',
      version,
      description: "The operator's API: rooms, members, messages, users, webhooks' dead letters and the cluster's status (docs/api.md).",
    },
    servers: [{ url: API_BASE }],
    security: [{ apiKey: [] }],
    paths,
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'One of NEXT_CHAT_API_KEYS' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error', 'message'],
          properties: {
            error: { type: 'string', description: "The protocol's reason (`group_not_found`, `invalid_params`, ...) or an HTTP one (`unauthorized`, `not_found`)" },
            message: { type: 'string', description: 'What went wrong, as a sentence' },
            field: { type: 'string', description: 'The first bad field (invalid_params)' },
            retryAfterMs: { type: 'integer' },
          },
        },
      },
    },
  };
}
