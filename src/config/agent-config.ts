/**
 * Agent configuration: defaults < config file (JSON, or GNS3's gns3_server.conf INI) < environment (PATCHBAY_*) <
 * command line, validated with valibot.
 */
import * as v from 'valibot';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describeIssues } from '../errors/validation.ts';
import { LOG_LEVELS } from '../log/logger.ts';
import { interfaceNameProblem } from '../hostnet/interface-name.ts';
import { parseIpv4Subnet } from '../hostnet/ipv4-subnet.ts';
import { RELAY_IO_CHOICES } from '../relay/io/types.ts';
import { Gns3ConfError, looksLikeJson, mapGns3Conf } from './gns3-conf.ts';

/** gns3-server 2.2's allowed origins (its web UI's development servers and gns3.github.io), checked live on 2.2.41. */
export const GNS3_CORS_ORIGINS = [
  'http://127.0.0.1:8080',
  'http://localhost:8080',
  'http://127.0.0.1:4200',
  'http://localhost:4200',
  'http://gns3.github.io',
  'https://gns3.github.io',
] as const;

const PortRange = v.pipe(
  v.string(),
  v.regex(/^\d{1,5}-\d{1,5}$/, 'must look like START-END'),
  v.transform((text) => text.split('-').map(Number) as [number, number]),
  v.check(([start, end]) => start >= 1 && end <= 65535 && start <= end, 'must be a range within 1-65535 with START <= END'),
);

const NumberLike = v.pipe(v.union([v.number(), v.pipe(v.string(), v.regex(/^\d+$/, 'must be a number'))]), v.transform(Number));

/** `scheme://host[:port]` exactly as browsers send it in `Origin`, or `*` for any. */
const ORIGIN = /^(\*|https?:\/\/[^/\s,]+)$/;
const OriginList = v.pipe(
  v.union([v.string(), v.array(v.string())]),
  v.transform((value) => (Array.isArray(value) ? value : value.split(',')).map((origin) => origin.trim()).filter(Boolean)),
  v.check((origins) => origins.every((origin) => ORIGIN.test(origin)), 'must be a comma-separated list of origins such as http://127.0.0.1:4200 (no path, no trailing slash), or *'),
);

const InterfaceName = v.pipe(
  v.string(),
  v.rawCheck(({ dataset, addIssue }) => {
    const problem = dataset.typed ? interfaceNameProblem(dataset.value) : null;
    if (problem) addIssue({ message: `an interface name ${problem}` });
  }),
);

const Subnet = v.pipe(
  v.string(),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    try {
      parseIpv4Subnet(dataset.value);
    } catch (err) {
      addIssue({ message: (err as Error).message });
    }
  }),
);

const Schema = v.strictObject({
  host: v.optional(v.pipe(v.string(), v.minLength(1)), '127.0.0.1'),
  port: v.optional(v.pipe(NumberLike, v.integer(), v.minValue(0), v.maxValue(65535)), 3080),
  user: v.optional(v.string()),
  password: v.optional(v.string()),
  cert: v.optional(v.string()),
  key: v.optional(v.string()),
  projects_dir: v.optional(v.string(), join(homedir(), 'GNS3', 'projects')),
  images_dir: v.optional(v.string(), join(homedir(), 'GNS3', 'images')),
  /** Default depends on projects_dir, filled in by loadConfig. */
  state_dir: v.optional(v.pipe(v.string(), v.minLength(1))),
  log_level: v.optional(v.picklist(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`), 'info'),
  console_ports: v.optional(PortRange, '5000-10000'),
  udp_ports: v.optional(PortRange, '10000-20000'),
  vpcs_path: v.optional(v.string(), 'vpcs'),
  qemu_path: v.optional(v.string()),
  nat_interface: v.optional(v.union([v.literal(''), InterfaceName]), 'virbr0'),
  nat_bridge: v.optional(InterfaceName, 'pbnat0'),
  nat_subnet: v.optional(Subnet, '192.168.122.0/24'),
  dnsmasq_path: v.optional(v.string(), 'dnsmasq'),
  dynamips_path: v.optional(v.string(), 'dynamips'),
  docker_socket: v.optional(v.pipe(v.string(), v.minLength(1)), '/var/run/docker.sock'),
  busybox_path: v.optional(v.pipe(v.string(), v.minLength(1)), '/bin/busybox'),
  gns3_version: v.optional(v.pipe(v.string(), v.regex(/^\d+\.\d+\.\d+/, 'must be a version such as 2.2.59')), '2.2.59'),
  relay_workers: v.optional(v.pipe(NumberLike, v.integer(), v.minValue(1), v.maxValue(64))),
  import_max_member_bytes: v.optional(v.pipe(NumberLike, v.integer(), v.minValue(1))),
  import_max_bytes: v.optional(v.pipe(NumberLike, v.integer(), v.minValue(1))),
  import_max_members: v.optional(v.pipe(NumberLike, v.integer(), v.minValue(1))),
  relay_io: v.optional(v.picklist(RELAY_IO_CHOICES, `must be one of ${RELAY_IO_CHOICES.join(', ')}`), 'auto'),
  controller: v.optional(v.pipe(v.string(), v.url('must be a URL such as http://10.0.0.1:3080'))),
  compute_id: v.optional(v.string()),
  name: v.optional(v.string()),
  cors_origins: v.optional(OriginList, GNS3_CORS_ORIGINS.join(',')),
  gns3_web_ui: v.optional(v.pipe(v.string(), v.minLength(1))),
  default_admin_username: v.optional(v.pipe(v.string(), v.regex(/^[a-zA-Z0-9_-]{3,100}$/, 'must be 3 to 100 characters of a-z, A-Z, 0-9, "_" or "-"')), 'admin'),
  default_admin_password: v.optional(v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.maxLength(100)), 'admin'),
});
export const AgentConfig = v.pipe(
  Schema,
  v.transform((config) => ({ ...config, state_dir: config.state_dir ?? join(config.projects_dir, '.patchbay') })),
);
export type AgentConfig = v.InferOutput<typeof AgentConfig>;
type AgentConfigInput = v.InferInput<typeof Schema>;

/** Every option with its help text; the CLI flag is the key with dashes, the variable is PATCHBAY_<KEY>. */
export const OPTION_HELP: Record<keyof AgentConfigInput, string> = {
  host: 'address to listen on (default 127.0.0.1; consoles bind here too)',
  port: 'HTTP port (default 3080; 0 picks a free one)',
  user: 'enable HTTP basic auth with this user name',
  password: 'password for HTTP basic auth',
  cert: 'TLS certificate file (PEM); with --key serves HTTPS',
  key: 'TLS private key file (PEM)',
  projects_dir: 'where projects are stored (default ~/GNS3/projects)',
  images_dir: 'where emulator images are stored (default ~/GNS3/images)',
  state_dir: 'where the agent records its running emulators, to reap them after a crash (default PROJECTS_DIR/.patchbay)',
  log_level: 'debug (adds an access log), info, warn or error (default info)',
  console_ports: 'TCP range for consoles (default 5000-10000)',
  udp_ports: 'UDP range for links and tunnels (default 10000-20000)',
  vpcs_path: 'VPCS binary (default: vpcs on PATH)',
  qemu_path: 'default qemu-system binary',
  nat_interface: "interface NAT nodes attach to when the host has it (default virbr0, libvirt's NAT bridge; '' never attaches)",
  nat_bridge: "bridge patchbay creates for NAT nodes when nat_interface is absent (default pbnat0)",
  nat_subnet: 'subnet of that bridge: gateway .1, DHCP for the rest (default 192.168.122.0/24, as libvirt)',
  dnsmasq_path: 'DHCP server of the NAT bridge (default: dnsmasq on PATH)',
  dynamips_path: 'Dynamips binary (default: dynamips on PATH)',
  docker_socket: 'Docker Engine unix socket for Docker nodes (default /var/run/docker.sock)',
  busybox_path: 'statically linked busybox bind-mounted into Docker node containers (default /bin/busybox, from busybox-static)',
  gns3_version: 'GNS3 version reported to controllers, which must match theirs (default 2.2.59)',
  relay_workers: 'most relay worker threads, started as bridges and hubs/switches need them (default: number of cores, at most 4)',
  import_max_member_bytes: 'most bytes one file of an imported project archive may inflate to (default 64 GiB)',
  import_max_bytes: 'most bytes all files of an imported project archive may inflate to (default 256 GiB)',
  import_max_members: 'most files an imported project archive may hold (default 100000)',
  relay_io: 'relay packet I/O: native (FFI, batched; raw and TAP endpoints), dgram (portable) or auto (default: native where it loads)',
  controller: 'controller URL to register this agent with',
  compute_id: 'compute id to register under (default: host name)',
  name: 'compute name shown by the controller',
  cors_origins: `origins allowed to call the API from a browser page, comma-separated, * for any (default gns3-server's: ${GNS3_CORS_ORIGINS.join(',')})`,
  gns3_web_ui: 'folder of a gns3-web-ui build (holding its index.html), served at /static/web-ui/',
  default_admin_username: 'the /v3 super admin created with a fresh access store (default admin; GNS3 3.0\'s [Controller] key)',
  default_admin_password: 'its password (default admin; change it with PUT /v3/access/users/me)',
};

export const flagOf = (key: string) => `--${key.replaceAll('_', '-')}`;
export const envOf = (key: string) => `PATCHBAY_${key.toUpperCase()}`;

export class ConfigError extends Error {}

/** Reads a JSON config file, or a GNS3 INI one (mapped onto our keys; keys we do not use go to `warn`). */
function readConfigFile(file: string, warn: (message: string) => void): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read config file ${file}: ${(err as Error).message}`);
  }
  if (looksLikeJson(text)) {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`Cannot read config file ${file}: ${(err as Error).message}`);
    }
  }
  try {
    const { config, ignored } = mapGns3Conf(text);
    if (ignored.length > 0) warn(`Config file ${file}: ignoring GNS3 settings patchbay does not use: ${ignored.join(', ')}`);
    return config;
  } catch (err) {
    if (err instanceof Gns3ConfError) throw new ConfigError(`${err.message} (in ${file})`);
    throw err;
  }
}

/** Merges the sources and validates once, so an error names the key whatever source it came from. */
export function loadConfig(
  cli: Record<string, string | undefined>,
  env: Record<string, string | undefined>,
  warn: (message: string) => void = () => {},
): AgentConfig {
  const merged: Record<string, unknown> = {};
  const file = cli.config ?? env.PATCHBAY_CONFIG;
  if (file) Object.assign(merged, readConfigFile(file, warn));
  for (const key of Object.keys(OPTION_HELP)) {
    const fromEnv = env[envOf(key)];
    if (fromEnv !== undefined) merged[key] = fromEnv;
    if (cli[key] !== undefined) merged[key] = cli[key];
  }
  const result = v.safeParse(AgentConfig, merged);
  if (!result.success) throw new ConfigError(`Invalid configuration: ${describeIssues(result.issues)}`);
  const config = result.output;
  if ((config.user === undefined) !== (config.password === undefined)) {
    throw new ConfigError('Invalid configuration: "user" and "password" must be set together');
  }
  if ((config.cert === undefined) !== (config.key === undefined)) {
    throw new ConfigError('Invalid configuration: "cert" and "key" must be set together');
  }
  return config;
}
