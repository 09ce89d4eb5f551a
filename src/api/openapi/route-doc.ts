/**
 * How the catalogues (catalogue.ts for /v2 and the rest, catalogue-v3.ts for /v3) describe a route, and the helpers
 * both write their entries with.
 */
import * as v from 'valibot';

export type ResponseDoc = {
  description: string;
  /** JSON body schema; absent for empty answers. */
  schema?: v.GenericSchema;
  /** Non-JSON answers (files, pcap streams, metrics text). */
  mediaType?: string;
};

export type RouteDoc = {
  summary: string;
  tag: string;
  /** JSON body schema, `nodeCreate`/`nodeUpdate` for the per-node-type bodies, or `binary` for raw uploads. */
  body?: v.GenericSchema | 'nodeCreate' | 'nodeUpdate' | 'binary';
  query?: Record<string, string>;
  responses: Record<number, ResponseDoc>;
};

export const json = (description: string, schema?: v.GenericSchema): ResponseDoc => ({ description, schema });
export const empty = (description = 'Done; no body.'): ResponseDoc => ({ description });
export const file = (description: string, mediaType = 'application/octet-stream'): ResponseDoc => ({ description, mediaType });
export const upgrade = (description: string): Record<number, ResponseDoc> => ({ 101: empty(`WebSocket upgrade: ${description}`) });
export const list = (schema: v.GenericSchema) => v.array(schema);

export type CollectionDoc = {
  tag: string;
  /** What one item and the whole list are called in the answers' descriptions, e.g. `['Project', 'Projects']`. */
  names: readonly [item: string, items: string];
  schema: v.GenericSchema;
  /** Request bodies of create and update. */
  bodies: readonly [create: RouteDoc['body'], update: RouteDoc['body']];
  summaries: readonly [list: string, create: string, read: string, update: string, remove: string];
  /** GNS3 answers an update with 200, or 201 for links and drawings in /v2. */
  updateStatus?: 200 | 201;
};

/**
 * The five routes of a collection at `path` whose items are `path/{id}`: list (200), create (201), read (200),
 * update (200 or 201) and delete (204, no body). A route that says more is written out after it, replacing its entry.
 *
 * @example
 * collection('/v2/computes', 'compute_id', { tag, names: ['Compute', 'Computes'], schema: compute, bodies: [ComputeCreate, ComputeUpdate], summaries: [...] })
 */
export function collection(path: string, id: string, doc: CollectionDoc): Record<string, RouteDoc> {
  const { tag, schema } = doc;
  const [item, items] = doc.names;
  const [createBody, updateBody] = doc.bodies;
  const [listing, create, read, update, remove] = doc.summaries;
  const one = `${path}/{${id}}`;
  return {
    [`GET ${path}`]: { tag, summary: listing, responses: { 200: json(items, list(schema)) } },
    [`POST ${path}`]: { tag, summary: create, body: createBody, responses: { 201: json(item, schema) } },
    [`GET ${one}`]: { tag, summary: read, responses: { 200: json(item, schema) } },
    [`PUT ${one}`]: { tag, summary: update, body: updateBody, responses: { [doc.updateStatus ?? 200]: json(item, schema) } },
    [`DELETE ${one}`]: { tag, summary: remove, responses: { 204: empty() } },
  };
}
