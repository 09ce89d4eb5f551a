/**
 * Startup and private configs of a router, kept as files in `<node dir>/configs/` as gns3-server does, and the
 * text of Dynamips' `vm extract_config` reply (both configs base64-encoded, in single quotes).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { atomicWrite } from '../../storage/atomic-write.ts';

/** What IOS stores as private config when there is none; gns3-server does not write it out. */
const EMPTY_PRIVATE_CONFIG = '\nkerberos password \nend\n';

/** A config as gns3-server writes pushed content: `!` line first, no CR, `%h` replaced by the router name. */
export function configFileText(content: string, name: string): string {
  return `!\n${content.replaceAll('\r', '')}`.replaceAll('%h', name);
}

export async function writeConfig(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await atomicWrite(path, text);
}

export async function readConfig(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** Parses `vm extract_config`'s line (`'<name>' '<base64 startup>' '<base64 private>'`). */
export function parseExtractedConfigs(line: string): { startup: string | null; private: string | null } {
  const fields = line.trim().split(' ').slice(-2).map((field) => field.replace(/^'|'$/g, ''));
  const decode = (b64: string | undefined) => (b64 ? Buffer.from(b64, 'base64').toString('utf8') : null);
  const startup = decode(fields[0]);
  const priv = decode(fields[1]);
  return {
    startup: startup ? `!\n${startup.replaceAll('\r', '')}` : null,
    private: priv && priv !== EMPTY_PRIVATE_CONFIG ? priv : null,
  };
}

/** Renames the router in its configs: the startup config's `hostname` line, every mention in the private one. */
export function renameInConfigs(startup: string | null, priv: string | null, oldName: string, newName: string) {
  return {
    startup: startup === null ? null : startup.replace(/hostname .+$/gm, `hostname ${newName}`),
    private: priv === null ? null : priv.split(oldName).join(newName),
  };
}
