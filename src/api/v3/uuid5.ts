/** Name-based UUIDs (RFC 4122 version 5, SHA-1), which GNS3 3.0 uses for built-in template and default compute ids. */
import { createHash } from 'node:crypto';

export const NAMESPACE_URL = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';
export const NAMESPACE_X500 = '6ba7b814-9dad-11d1-80b4-00c04fd430c8';

/** e.g. `uuid5(NAMESPACE_X500, 'vpcs')` → `52136454-1f50-590a-94e4-816bd02d1062`. */
export function uuid5(namespace: string, name: string): string {
  const bytes = createHash('sha1').update(Buffer.from(namespace.replaceAll('-', ''), 'hex')).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
