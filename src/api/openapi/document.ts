/**
 * Builds the OpenAPI 3.1 document from the routes the Hono app actually registers, so no route can be missing from
 * it. Schemas are the valibot schemas the routes validate with, converted by @valibot/to-json-schema (JSON Schema
 * 2020-12, the dialect OpenAPI 3.1 uses). Meaning (summaries, answers) comes from catalogue.ts.
 */
import { toJsonSchema, type JsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import { templateOf } from '../route-template.ts';
import { ROUTE_DOCS } from './catalogue.ts';
import type { RouteDoc } from './route-doc.ts';
import { ErrorBody } from './response-schemas.ts';

export type RegisteredRoute = { method: string; path: string };

export type NodeBodies = Record<string, { create: v.GenericSchema; update: v.GenericSchema }>;

export type DocumentOptions = {
  title: string;
  version: string;
  description: string;
  /** Request bodies per node type (the drivers' schemas), for the generic compute node routes. */
  nodeBodies: NodeBodies;
  /** Whether HTTP basic auth is on: the document then declares it. */
  auth: boolean;
};

type Json = Record<string, unknown>;

function schemaOf(schema: v.GenericSchema, typeMode: 'input' | 'output'): Json {
  // Refinements such as v.check() have no JSON Schema form; they still run on every request.
  const converted = toJsonSchema(schema, { target: 'draft-2020-12', typeMode, errorMode: 'ignore' }) as JsonSchema & Json;
  const { $schema: _dialect, ...rest } = converted;
  return rest;
}

/** Hono parameter patterns (`{[0-9]+}`) become JSON Schema patterns of the path parameter. */
function pathParameters(honoPath: string): Json[] {
  return [...honoPath.matchAll(/:([A-Za-z0-9_]+)(?:\{([^}]*)\})?/g)].map(([, name, pattern]) => ({
    name,
    in: 'path',
    required: true,
    schema: pattern ? { type: 'string', pattern: `^${pattern}$` } : { type: 'string' },
    ...(pattern === '.+' ? { description: 'May contain slashes.' } : {}),
  }));
}

function requestBody(doc: RouteDoc, nodeBodies: NodeBodies): Json | undefined {
  if (!doc.body) return undefined;
  if (doc.body === 'binary') {
    return { required: false, content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } };
  }
  if (doc.body === 'nodeCreate' || doc.body === 'nodeUpdate') {
    const key = doc.body === 'nodeCreate' ? 'create' : 'update';
    const variants = Object.entries(nodeBodies).map(([type, bodies]) => ({ title: `${type} node`, ...schemaOf(bodies[key], 'input') }));
    return {
      required: true,
      description: `The body schema depends on {node_type}: ${Object.keys(nodeBodies).join(', ')}.`,
      content: { 'application/json': { schema: variants.length === 1 ? variants[0] : { oneOf: variants } } },
    };
  }
  return { required: false, content: { 'application/json': { schema: schemaOf(doc.body, 'input') } } };
}

function responses(doc: RouteDoc): Json {
  const out: Json = {};
  for (const [status, response] of Object.entries(doc.responses)) {
    const content = response.mediaType
      ? { [response.mediaType]: { schema: { type: 'string' } } }
      : response.schema
        ? { 'application/json': { schema: schemaOf(response.schema, 'output') } }
        : undefined;
    out[status] = { description: response.description, ...(content ? { content } : {}) };
  }
  out.default = { description: 'GNS3 error body (400 validation, 401 auth, 404 unknown id, 409 emulator error, 503 shutting down)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  return out;
}

/** Operations the catalogue does not know are still listed, marked so the coverage test can name them. */
const UNDOCUMENTED: RouteDoc = { tag: 'undocumented', summary: 'Undocumented route', responses: { 200: { description: 'See the source.' } } };

export function documentKey(route: RegisteredRoute): string {
  return `${route.method} ${templateOf(route.path)}`;
}

export function buildOpenApi(routes: RegisteredRoute[], options: DocumentOptions): Json {
  const paths: Record<string, Json> = {};
  const seen = new Set<string>();
  for (const route of routes) {
    // Middleware registers as ALL; HEAD is Hono's implicit twin of GET.
    if (route.method === 'ALL' || route.method === 'HEAD') continue;
    const key = documentKey(route);
    if (seen.has(key)) continue;
    seen.add(key);
    const doc = ROUTE_DOCS[key] ?? UNDOCUMENTED;
    const template = templateOf(route.path);
    const parameters = [
      ...pathParameters(route.path),
      ...Object.entries(doc.query ?? {}).map(([name, description]) => ({ name, in: 'query', required: false, description, schema: { type: 'string' } })),
    ];
    const body = requestBody(doc, options.nodeBodies);
    (paths[template] ??= {})[route.method.toLowerCase()] = {
      operationId: `${route.method.toLowerCase()}${template.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      summary: doc.summary,
      tags: [doc.tag],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(body ? { requestBody: body } : {}),
      responses: responses(doc),
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: options.title, version: options.version, description: options.description },
    paths,
    components: {
      schemas: { Error: schemaOf(ErrorBody, 'output') },
      ...(options.auth ? { securitySchemes: { basic: { type: 'http', scheme: 'basic' } } } : {}),
    },
    ...(options.auth ? { security: [{ basic: [] }] } : {}),
  };
}
