/**
 * Pure logic of Docker nodes: image references, the `environment`/`extra_hosts`/`start_command` texts, persistent
 * volumes, MAC addresses and the container-create body. No I/O here; docker-node.ts feeds it and talks to Docker.
 */
import { posix } from 'node:path';
import { splitShellWords } from '../shell-words.ts';

/**
 * Capabilities every container gets on top of Docker's default set (CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL,
 * SETGID, SETUID, SETPCAP, NET_BIND_SERVICE, NET_RAW, SYS_CHROOT, MKNOD, AUDIT_WRITE, SETFCAP). NET_ADMIN lets the
 * image configure its interfaces, addresses, routes, bridges and firewall inside its own network namespace; nothing
 * here reaches the host. GNS3 instead runs every container privileged with all capabilities; `privileged: true`
 * on a node or template opts into that.
 */
export const CAP_ADD = ['NET_ADMIN'] as const;

/**
 * Network sysctls set at creation: an unprivileged container sees /proc/sys read-only, so a router image could not
 * enable forwarding itself. They are per network namespace, so they change nothing on the host.
 */
export const SYSCTLS: Readonly<Record<string, string>> = {
  'net.ipv4.ip_forward': '1',
  'net.ipv6.conf.all.forwarding': '1',
};

/** Labels put on every container; the reaper removes containers whose state label names its state directory. */
export const LABEL_STATE = 'net.patchbay.state';
export const LABEL_NODE = 'net.patchbay.node_id';
export const LABEL_PROJECT = 'net.patchbay.project_id';
/** The host X display of a `vnc` console, so the reaper can clear what an X server killed with its agent left. */
export const LABEL_DISPLAY = 'net.patchbay.display';

/** Docker's reference grammar (distribution/reference), anchored: [domain[:port]/]path[:tag][@digest]. */
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const DOMAIN_PART = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_PART}(?:\\.${DOMAIN_PART})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const REFERENCE = new RegExp(
  `^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`,
);

export function isImageReference(image: string): boolean {
  return image.length <= 255 && REFERENCE.test(image);
}

/** GNS3 appends `:latest` when the name holds no `:` at all (so `registry:5000/img` keeps no tag, as in GNS3). */
export function withDefaultTag(image: string): string {
  return image.includes(':') ? image : `${image}:latest`;
}

/** Why an `environment` text is refused, or null. Lines are `NAME=value`; blank lines are allowed. */
export function environmentProblem(text: string): string | null {
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0) return `line ${JSON.stringify(line)} is not NAME=value`;
  }
  return null;
}

/** Why an `extra_hosts` text is refused, or null. Lines are `hostname:address`. */
export function extraHostsProblem(text: string): string | null {
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const parts = line.split(':');
    if (parts.length !== 2 || parts[0]!.trim() === '' || parts[1]!.trim() === '') {
      return `line ${JSON.stringify(line)} is not hostname:address`;
    }
  }
  return null;
}

/** Why an extra volume path is refused, or null: absolute, no `..`, not the root itself. */
export function volumeProblem(path: string): string | null {
  if (!path.startsWith('/')) return `${JSON.stringify(path)} must start with "/"`;
  if (path.split('/').includes('..')) return `${JSON.stringify(path)} must not contain ".."`;
  if (posix.normalize(path) === '/') return `${JSON.stringify(path)} must not be the root directory`;
  return null;
}

/** `/etc/network` (interfaces persist like GNS3's), the image's VOLUMEs, then extra volumes; nested ones folded. */
export function persistentVolumes(imageVolumes: readonly string[], extra: readonly string[]): string[] {
  const all = ['/etc/network', ...imageVolumes, ...extra].map((p) => posix.normalize(p).replace(/\/+$/, '') || '/');
  const kept: string[] = [];
  for (const path of all) {
    const inside = (parent: string, child: string) => child === parent || child.startsWith(`${parent}/`);
    if (kept.some((k) => inside(k, path))) continue;
    for (let i = kept.length - 1; i >= 0; i--) if (inside(path, kept[i]!)) kept.splice(i, 1);
    kept.push(path);
  }
  return kept;
}

export type Variables = ReadonlyArray<{ name: string; value?: string }> | null;

export type EnvContext = {
  nodeName: string;
  nodeId: string;
  projectId: string;
  projectPath: string;
  variables: Variables;
};

/** `${NAME}` → project variable (unknown names stay as written). */
function substituteVariables(text: string, variables: Variables): string {
  const values = new Map((variables ?? []).map((v) => [v.name, v.value ?? '']));
  return text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => values.get(name) ?? whole);
}

/**
 * The container environment, in GNS3's order: project variables, then each `environment` line (names starting with
 * `GNS3_` are reserved and skipped; `${var}` and the `%vm-name%`, `%vm-id%`, `%project-id%`, `%project-path%`
 * placeholders replaced), then the init script's own settings.
 */
export function containerEnv(
  ctx: EnvContext,
  settings: { adapters: number; environment: string | null; extraHosts: string | null; imageUser: string; display?: number | null },
): string[] {
  const env = ['container=docker', `GNS3_MAX_ETHERNET=eth${settings.adapters - 1}`];
  if (settings.imageUser !== '') env.push(`GNS3_USER=${settings.imageUser}`);
  for (const variable of ctx.variables ?? []) env.push(`${variable.name}=${substituteVariables(variable.value ?? '', ctx.variables)}`);
  for (const raw of (settings.environment ?? '').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('GNS3_')) continue;
    const replaced = substituteVariables(line, ctx.variables)
      .replaceAll('%vm-name%', `"${ctx.nodeName.replaceAll('"', '')}"`)
      .replaceAll('%vm-id%', ctx.nodeId)
      .replaceAll('%project-id%', ctx.projectId)
      .replaceAll('%project-path%', `"${ctx.projectPath.replaceAll('"', '')}"`);
    env.push(replaced);
  }
  // QT_GRAPHICSSYSTEM: old Qt draws nothing on a remote X server without it (GNS3 sets it too).
  if (settings.display != null) env.push('QT_GRAPHICSSYSTEM=native', `DISPLAY=:${settings.display}`);
  if (settings.extraHosts) {
    const lines = settings.extraHosts.split('\n').map((l) => l.trim()).filter((l) => l !== '').map((l) => {
      const [host, address] = l.split(':');
      return `${address!.trim()}\t${host!.trim()}`;
    });
    if (lines.length > 0) env.push(`GNS3_EXTRA_HOSTS=${lines.join('\n')}`);
  }
  return env;
}

/** The socket of X display `n` (Xtrans puts every local X server's socket there). */
export const xSocket = (display: number) => `/tmp/.X11-unix/X${display}`;

/** The default base MAC of a node, GNS3 2.2.50's derivation from its id: `02:42:` + id bytes 1-3 + `00`. */
export function defaultBaseMac(nodeId: string): string {
  const hex = nodeId.replaceAll('-', '').toLowerCase();
  return `02:42:${hex.slice(2, 4)}:${hex.slice(4, 6)}:${hex.slice(6, 8)}:00`;
}

/** MAC of adapter `n`: the base plus n, carried across all six bytes. */
export function adapterMac(base: string, adapter: number): string {
  const value = BigInt(`0x${base.replaceAll(':', '')}`) + BigInt(adapter);
  const hex = (value & 0xffffffffffffn).toString(16).padStart(12, '0');
  return hex.match(/../g)!.join(':');
}

/** The image settings the container body depends on (from `GET /images/{name}/json`). */
export type ImageConfig = {
  entrypoint: string[];
  cmd: string[];
  user: string;
  volumes: string[];
};

export type ContainerSpec = {
  name: string;
  image: string;
  startCommand: string | null;
  env: string[];
  privileged: boolean;
  /** Host path of the resources folder mounted read-only at /gns3, and of the static busybox inside it. */
  resourcesDir: string;
  busybox: string;
  /** Host directory of the node; each persistent volume `<vol>` is `<nodeDir><vol>` bound at `<vol>`. */
  nodeDir: string;
  volumes: string[];
  labels: Record<string, string>;
  /** The host X display of a `vnc` console, whose socket is bound into the container. */
  display?: number | null;
};

/** Body of `POST /containers/create`. */
export function containerBody(spec: ContainerSpec, image: ImageConfig): Record<string, unknown> {
  const command = spec.startCommand ? splitShellWords(spec.startCommand) : [];
  let cmd = command.length > 0 ? command : image.cmd;
  if (cmd.length === 0 && image.entrypoint.length === 0) cmd = ['/bin/sh'];
  return {
    Hostname: spec.name,
    Image: spec.image,
    Entrypoint: ['/gns3/init.sh', ...image.entrypoint],
    Cmd: cmd,
    Env: spec.env,
    // The init script runs as root to configure interfaces, then drops to the image's user itself.
    ...(image.user !== '' ? { User: 'root' } : {}),
    Tty: true,
    OpenStdin: true,
    StdinOnce: false,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    NetworkDisabled: true,
    Labels: spec.labels,
    HostConfig: {
      NetworkMode: 'none',
      Privileged: spec.privileged,
      CapAdd: spec.privileged ? [] : [...CAP_ADD],
      Sysctls: SYSCTLS,
      // Mounts rather than Binds: a `host:container` string breaks on paths containing ':'.
      Mounts: [
        { Type: 'bind', Source: spec.resourcesDir, Target: '/gns3', ReadOnly: true },
        { Type: 'bind', Source: spec.busybox, Target: '/gns3/bin/busybox', ReadOnly: true },
        ...spec.volumes.map((vol) => ({ Type: 'bind', Source: posix.join(spec.nodeDir, vol), Target: vol })),
      ],
      // Only this display's socket, read-only (GNS3 2.2.43+). A Binds entry, not a Mount: a Mount's source must
      // exist at create time, and the X server runs only while the node does (it is started before the container).
      ...(spec.display != null ? { Binds: [`${xSocket(spec.display)}:${xSocket(spec.display)}:ro`] } : {}),
    },
  };
}
