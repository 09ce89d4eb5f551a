/**
 * Static files from one directory for the web UIs, confined to it: the request path is percent-decoded exactly once,
 * `..` may not leave the directory, and symbolic links may not point out of it.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, sep } from 'node:path';
import { resolveInside } from '../../storage/safe-path.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  // gns3-server forces this type for .js, whatever the platform's MIME table says.
  '.js': 'application/javascript; charset=utf-8',
  '.mjs': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

export const contentTypeOf = (file: string) => TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';

/**
 * The file `encodedPath` (as it appears in the URL, still percent-encoded, relative to `root`) names, or null when it
 * is not a regular file inside `root`. A double-encoded `%252e%252e` stays the literal name `%2e%2e`.
 * @example await findAsset('/srv/web', 'assets/app.js') // '/srv/web/assets/app.js'
 */
export async function findAsset(root: string, encodedPath: string): Promise<string | null> {
  let relative: string;
  try {
    relative = decodeURIComponent(encodedPath);
  } catch {
    return null;
  }
  if (relative === '' || relative.includes('\\')) return null;
  let candidate: string;
  try {
    candidate = resolveInside(root, relative);
  } catch {
    return null;
  }
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(candidate)]);
    if (!realFile.startsWith(realRoot + sep)) return null;
    return (await stat(realFile)).isFile() ? realFile : null;
  } catch {
    return null;
  }
}

/** A 200 answer with the file's bytes; `no-cache` so a rebuilt UI is picked up at once (answers are revalidated). */
export async function fileResponse(file: string): Promise<Response> {
  const bytes = await readFile(file);
  return new Response(bytes, { status: 200, headers: { 'Content-Type': contentTypeOf(file), 'Cache-Control': 'no-cache' } });
}
