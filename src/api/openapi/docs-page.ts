/**
 * The API reference page at /docs: plain HTML rendered from the OpenAPI document on the server, with no script and
 * nothing fetched from elsewhere, so it works on an air-gapped lab host.
 */

type Json = Record<string, any>;

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const schemaBlock = (schema: unknown) => `<details><summary>schema</summary><pre>${escape(JSON.stringify(schema, null, 2))}</pre></details>`;

function bodyCell(operation: Json): string {
  const body = operation.requestBody;
  if (!body) return '';
  const [mediaType, media] = Object.entries(body.content as Json)[0] as [string, Json];
  return `<code>${escape(mediaType)}</code>${body.description ? `<br>${escape(body.description)}` : ''}${schemaBlock(media.schema)}`;
}

function responsesCell(operation: Json): string {
  return Object.entries(operation.responses as Json)
    .filter(([status]) => status !== 'default')
    .map(([status, response]) => {
      const content = response.content ? Object.entries(response.content as Json)[0] as [string, Json] : null;
      const schema = content && content[0] === 'application/json' ? schemaBlock(content[1].schema) : '';
      return `<div><b>${escape(status)}</b> ${escape(response.description)}${content ? ` <code>${escape(content[0])}</code>` : ''}${schema}</div>`;
    })
    .join('');
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top;text-align:left;font-size:.9rem}
th{background:#f3f3f3}code{font-size:.85rem}pre{font-size:.8rem;max-width:50rem;overflow:auto}
.m{font-weight:bold;font-family:monospace}.get{color:#06c}.post{color:#080}.put{color:#a60}.delete{color:#c00}
nav a{margin-right:1rem}`;

/** Renders every operation of `document`, grouped by tag, in document order. */
export function renderDocsPage(document: Json): string {
  const byTag = new Map<string, string[]>();
  for (const [path, item] of Object.entries(document.paths as Json)) {
    for (const [method, operation] of Object.entries(item as Json)) {
      const tag = (operation.tags?.[0] as string | undefined) ?? 'other';
      const row = `<tr><td class="m ${method}">${method.toUpperCase()}</td><td><code>${escape(path)}</code></td>` +
        `<td>${escape(operation.summary ?? '')}</td><td>${bodyCell(operation)}</td><td>${responsesCell(operation)}</td></tr>`;
      byTag.set(tag, [...(byTag.get(tag) ?? []), row]);
    }
  }
  const anchor = (tag: string) => tag.replace(/[^a-z0-9]+/gi, '-');
  const sections = [...byTag].map(([tag, rows]) =>
    `<h2 id="${anchor(tag)}">${escape(tag)}</h2><table><thead><tr><th>Method</th><th>Path</th><th>Summary</th>` +
    `<th>Request body</th><th>Responses</th></tr></thead><tbody>${rows.join('')}</tbody></table>`);
  const info = document.info as Json;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(info.title)} API</title>` +
    `<style>${STYLE}</style></head><body><h1>${escape(info.title)} ${escape(info.version)}</h1>` +
    `<p>${escape(info.description)} Machine-readable: <a href="/v2/openapi.json">/v2/openapi.json</a>. ` +
    `Errors use the GNS3 body <code>{"status", "message"}</code>.</p>` +
    `<nav>${[...byTag.keys()].map((tag) => `<a href="#${anchor(tag)}">${escape(tag)}</a>`).join('')}</nav>${sections.join('')}</body></html>`;
}
