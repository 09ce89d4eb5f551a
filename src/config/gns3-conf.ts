/**
 * Reads GNS3's `gns3_server.conf` (INI) and maps the keys that matter to a compute onto patchbay's configuration keys,
 * so an existing GNS3 host can switch with `--config ~/.config/GNS3/2.2/gns3_server.conf`. Each key is validated on
 * its own so that an error names it as the file spells it (`[Server] port`).
 */
import * as v from 'valibot';

export type IniSections = Record<string, Record<string, string>>;

/** Python configparser's subset GNS3 files use: `[Section]`, `key = value` or `key: value`, `#`/`;` comment lines. */
export function parseIni(text: string): IniSections {
  const sections: IniSections = {};
  let current: Record<string, string> | null = null;
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      current = sections[header[1]!.trim()] ??= {};
      continue;
    }
    const pair = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (!pair || !current) throw new Error(`line ${index + 1}: expected "[Section]" or "key = value", got ${JSON.stringify(raw)}`);
    // configparser lower-cases keys; section names keep their case.
    current[pair[1]!.toLowerCase()] = pair[2]!;
  }
  return sections;
}

/** configparser's getboolean(). */
const IniBool = v.pipe(
  v.string(),
  v.transform((s) => s.trim().toLowerCase()),
  v.picklist(['1', 'yes', 'true', 'on', '0', 'no', 'false', 'off'], 'must be true or false'),
  v.transform((s) => ['1', 'yes', 'true', 'on'].includes(s)),
);
const IniPort = v.pipe(v.string(), v.trim(), v.regex(/^\d{1,5}$/, 'must be a port number'), v.transform(Number), v.maxValue(65535, 'must be at most 65535'));
const IniText = v.pipe(v.string(), v.trim());
const IniPath = v.pipe(IniText, v.minLength(1, 'must not be empty'));

/** Keys read from each section; anything else is reported as ignored. */
const KEYS = {
  Server: {
    host: IniText,
    port: IniPort,
    auth: IniBool,
    user: IniText,
    password: IniText,
    ssl: IniBool,
    certfile: IniPath,
    certkey: IniPath,
    images_path: IniPath,
    projects_path: IniPath,
    console_start_port_range: IniPort,
    console_end_port_range: IniPort,
    udp_start_port_range: IniPort,
    udp_end_port_range: IniPort,
    default_nat_interface: IniText,
  },
  VPCS: { vpcs_path: IniPath },
  Dynamips: { dynamips_path: IniPath },
  // 3.0: the /v3 super admin made when the access store is first created.
  Controller: { default_admin_username: IniPath, default_admin_password: IniPath },
} as const;

type ServerValues = Partial<{ [K in keyof typeof KEYS.Server]: v.InferOutput<(typeof KEYS.Server)[K]> }>;

export class Gns3ConfError extends Error {}

export type Gns3ConfResult = {
  /** patchbay keys (as a JSON config file would hold them). */
  config: Record<string, unknown>;
  /** `[Section] key` entries present in the file that patchbay does not use. */
  ignored: string[];
};

/** GNS3's own defaults, used when a file sets only one end of a range. */
const GNS3_RANGES = { console: [5000, 10000], udp: [20000, 30000] } as const;

export function mapGns3Conf(text: string): Gns3ConfResult {
  let sections: IniSections;
  try {
    sections = parseIni(text);
  } catch (err) {
    throw new Gns3ConfError(`Invalid GNS3 config: ${(err as Error).message}`);
  }
  const values: Record<string, Record<string, unknown>> = { Server: {}, VPCS: {}, Dynamips: {}, Controller: {} };
  const ignored: string[] = [];
  for (const [section, entries] of Object.entries(sections)) {
    const known = (KEYS as Record<string, Record<string, v.GenericSchema<string, unknown>>>)[section];
    for (const [key, raw] of Object.entries(entries)) {
      const schema = known?.[key];
      if (!schema) {
        ignored.push(`[${section}] ${key}`);
        continue;
      }
      const result = v.safeParse(schema, raw);
      if (!result.success) throw new Gns3ConfError(`Invalid GNS3 config: [${section}] ${key} = ${JSON.stringify(raw)}: ${result.issues[0].message}`);
      values[section]![key] = result.output;
    }
  }
  const server = values.Server as ServerValues;
  const config: Record<string, unknown> = {};
  if (server.host !== undefined && server.host !== '') config.host = server.host;
  if (server.port !== undefined) config.port = server.port;
  if (server.auth) {
    if (!server.user) throw new Gns3ConfError('Invalid GNS3 config: [Server] auth = True needs a non-empty [Server] user');
    config.user = server.user;
    config.password = server.password ?? '';
  }
  if (server.ssl) {
    if (!server.certfile || !server.certkey) throw new Gns3ConfError('Invalid GNS3 config: [Server] ssl = True needs [Server] certfile and certkey');
    config.cert = server.certfile;
    config.key = server.certkey;
  }
  if (server.projects_path !== undefined) config.projects_dir = server.projects_path;
  if (server.images_path !== undefined) config.images_dir = server.images_path;
  const range = (kind: 'console' | 'udp', start?: number, end?: number) => {
    if (start === undefined && end === undefined) return;
    const [s, e] = [start ?? GNS3_RANGES[kind][0], end ?? GNS3_RANGES[kind][1]];
    if (s > e) throw new Gns3ConfError(`Invalid GNS3 config: [Server] ${kind}_start_port_range (${s}) is above ${kind}_end_port_range (${e})`);
    config[`${kind}_ports`] = `${s}-${e}`;
  };
  range('console', server.console_start_port_range, server.console_end_port_range);
  range('udp', server.udp_start_port_range, server.udp_end_port_range);
  if (server.default_nat_interface) config.nat_interface = server.default_nat_interface;
  if (values.VPCS!.vpcs_path !== undefined) config.vpcs_path = values.VPCS!.vpcs_path;
  if (values.Dynamips!.dynamips_path !== undefined) config.dynamips_path = values.Dynamips!.dynamips_path;
  for (const key of ['default_admin_username', 'default_admin_password'] as const) {
    if (values.Controller![key] !== undefined) config[key] = values.Controller![key];
  }
  return { config, ignored };
}

/** A config file is INI if it does not start like a JSON object. */
export const looksLikeJson = (text: string) => text.trimStart().startsWith('{');
