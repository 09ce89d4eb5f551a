/**
 * Every error patchbay answers with, by code: HTTP status, GNS3's `exception` name where GNS3 sends one, and the
 * message template. The messages are GNS3's own wording where GNS3 has one (clients match on them), so change a
 * template only together with the conformance and bad-input suites. New drivers add their kinds in a section here.
 */

/** One kind of error. `message` quotes the offending values; `fields` adds GNS3 body fields beside the message. */
export type ErrorKind = {
  readonly status: number;
  readonly exception?: string;
  // Templates take the values they quote, positionally; `never[]` lets each kind declare its own parameters.
  readonly message: (...values: never[]) => string;
  readonly fields?: (...values: never[]) => Record<string, string>;
};

/** Body fields a compute sent beside its message, forwarded as they came (GNS3 clients read `exception`, `image`). */
export type ForwardedFields = { exception?: string; image?: string };

const kinds = {
  // ---- requests (HTTP layer and valibot) ----
  INVALID_REQUEST: { status: 400, message: (issues: string) => `Invalid request: ${issues}` },
  INVALID_JSON: { status: 400, message: (reason: string) => `Invalid JSON: ${reason}` },
  BODY_NOT_OBJECT: { status: 400, message: (json: string) => `Invalid request: the body must be a JSON object, received ${json}` },
  BODY_TOO_LARGE: { status: 413, message: (limit: number) => `Request body is larger than ${limit} bytes` },
  ROUTE_NOT_FOUND: { status: 404, message: (method: string, path: string) => `404: Not Found (${method} ${path})` },
  UNAUTHORIZED: { status: 401, message: () => 'Unauthorized: wrong or missing credentials' },
  NOT_A_WEBSOCKET: { status: 400, message: () => 'No WebSocket UPGRADE hdr' },
  WEB_UI_NOT_BUILT: { status: 404, message: (dir: string) => `patchbay's web UI is not built (no index.html in ${dir}): run npm run build` },
  GNS3_WEB_UI_NOT_INSTALLED: { status: 404, message: () => "GNS3's web UI is not installed here: start patchbay with --gns3-web-ui DIR" },
  GNS3_WEB_UI_NO_INDEX: { status: 404, message: (dir: string) => `No index.html in the GNS3 web UI folder ${dir}` },
  SHUTTING_DOWN: { status: 503, message: () => 'The server is shutting down' },
  INTERNAL: { status: 500, message: (reason: string) => `Internal error: ${reason}` },

  // ---- files (project files, images) ----
  FILE_NOT_FOUND: { status: 404, message: () => '404: Not Found' },
  PATH_FORBIDDEN: { status: 403, message: () => '403: Forbidden' },
  FILE_ACCESS_FORBIDDEN: { status: 403, message: () => 'Access to this file is forbidden' },
  FILE_WRITE_FAILED: { status: 409, message: (file: string, reason: string) => `Cannot write file ${file}: ${reason}` },

  // ---- compute: projects, nodes, ports ----
  PROJECT_ID_INVALID: { status: 400, message: (id: string) => `Project ID ${id} is not a valid UUID` },
  PROJECT_NOT_FOUND: { status: 404, message: (id: string) => `Project ID ${id} doesn't exist` },
  PROJECT_DIRECTORY_FAILED: { status: 403, message: (reason: string) => `Could not create project directory: ${reason}` },
  NODE_ID_INVALID: { status: 400, message: (id: string) => `Node ID ${id} is not a valid UUID` },
  NODE_NOT_FOUND: { status: 404, message: (id: string) => `Node ID ${id} doesn't exist` },
  NODE_TYPE_UNSUPPORTED: { status: 404, message: (type: string) => `Node type ${type} is not supported by this compute` },
  NODE_IN_OTHER_PROJECT: { status: 404, message: (projectId: string, node: string) => `Project ID ${projectId} doesn't belong to node ${node}` },
  NODE_NOT_STARTED: { status: 409, exception: 'NodeError', message: (node: string) => `Node ${node} is not started` },
  NODE_NO_TELNET_CONSOLE: { status: 404, message: (node: string) => `Node ${node} has no telnet console` },
  NO_FREE_PORT: { status: 409, message: (start: number, end: number) => `Could not find a free port between ${start} and ${end}` },
  HOST_STATISTICS_FAILED: { status: 409, message: (reason: string) => `Could not read host statistics: ${reason}` },

  // ---- compute: NIOs and captures ----
  NIO_NOT_UDP: { status: 409, exception: 'NodeError', message: () => 'Destination NIO is not UDP' },
  NIO_TYPE_UNSUPPORTED: { status: 409, message: (type: string) => `NIO of type ${type} is not supported` },
  NIO_RHOST_UNRESOLVED: { status: 400, message: (rhost: string) => `Invalid request: "rhost": could not resolve ${JSON.stringify(rhost)}` },
  NIO_UPDATE_UNSUPPORTED: { status: 404, message: (type: string) => `NIO update is not available on ${type} nodes` },
  PORT_NOT_CONNECTED: { status: 409, exception: 'NodeError', message: (port: number) => `Port ${port} is not connected` },
  CAPTURE_ALREADY_ACTIVE: { status: 409, exception: 'NodeError', message: (port: number) => `Packet capture is already active on port ${port}` },
  CAPTURE_NOT_ACTIVE: { status: 409, message: () => 'Nothing to stream because there is no packet capture active' },

  // ---- compute: hub, switch, cloud ----
  PORT_MISSING: { status: 409, message: (port: number) => `Port ${port} doesn't exist` },
  PORT_NOT_ALLOCATED: { status: 409, message: (port: number) => `Port ${port} is not allocated` },
  PORT_NOT_FREE: { status: 409, message: (port: number) => `Port ${port} isn't free` },
  PORT_CONNECT_FAILED: { status: 409, message: (port: number, reason: string) => `Cannot connect port ${port}: ${reason}` },
  HUB_CONNECTED: { status: 409, message: () => "Can't modify a hub already connected." },
  SWITCH_CONNECTED: { status: 409, message: () => "Can't modify a switch already connected." },
  CLOUD_CONNECTED: { status: 409, exception: 'NodeError', message: () => 'Cannot modify a cloud that is already connected.' },
  CLOUD_PORT_MISSING: { status: 409, exception: 'NodeError', message: (port: number, cloud: string) => `Port ${port} doesn't exist on cloud '${cloud}'` },
  CLOUD_PORT_NOT_ALLOCATED: { status: 409, exception: 'NodeError', message: (port: number) => `Port ${port} is not allocated` },
  /** A port of the cloud could not be wired (its message is the log.error GNS3 also emits). */
  CLOUD_PORT_FAILED: { status: 409, exception: 'NodeError', message: (reason: string) => reason },
  CLOUD_PORT_NOT_FREE: { status: 409, exception: 'NodeError', message: (port: number) => `Port ${port} isn't free` },

  // ---- compute: VPCS ----
  VPCS_LIMIT: { status: 409, exception: 'VPCSError', message: (limit: number) => `Cannot create a new VPCS VM (limit of ${limit} VMs reached on this host)` },
  VPCS_BINARY_NOT_ACCESSIBLE: { status: 409, exception: 'VPCSError', message: (path: string) => `VPCS program '${path}' is not accessible` },
  VPCS_BINARY_NOT_EXECUTABLE: { status: 409, exception: 'VPCSError', message: (path: string) => `VPCS program '${path}' is not executable` },
  VPCS_VERSION_UNKNOWN: { status: 409, exception: 'VPCSError', message: (path: string) => `Could not determine the VPCS version for ${path}` },
  VPCS_PORT_MISSING: { status: 409, exception: 'VPCSError', message: (port: number) => `Port ${port} doesn't exist on adapter Ethernet adapter` },
  VPCS_SPAWN_FAILED: { status: 409, exception: 'VPCSError', message: (path: string, reason: string) => `Could not start VPCS ${path}: ${reason}` },
  VPCS_START_FAILED: { status: 409, exception: 'VPCSError', message: (reason: string) => `Could not start VPCS: ${reason}` },
  VPCS_CONSOLE_TYPE_WHILE_RUNNING: {
    status: 409, exception: 'VPCSError', message: (node: string, type: string) => `"${node}" must be stopped to change the console type to ${type}`,
  },
  VPCS_CONSOLE_PORT_WHILE_RUNNING: { status: 409, exception: 'VPCSError', message: (node: string) => `"${node}" must be stopped to change the console port` },

  // ---- compute: QEMU ----
  QEMU_BINARY_UNNAMED: { status: 409, exception: 'QemuError', message: () => 'QEMU binary path qemu-system-None is not found in the path' },
  QEMU_BINARY_NOT_FOUND: { status: 409, exception: 'QemuError', message: (name: string) => `QEMU binary path ${name} is not found in the path` },
  QEMU_BINARY_NOT_EXECUTABLE: { status: 409, exception: 'QemuError', message: (path: string) => `QEMU binary ${path} is not executable` },
  QEMU_VERSION_UNKNOWN: { status: 409, exception: 'QemuError', message: (path: string) => `Could not determine the QEMU version for ${path}` },
  QEMU_SWTPM_MISSING: { status: 409, exception: 'QemuError', message: () => 'Could not find swtpm (TPM emulator) to provide a TPM to the VM' },
  QEMU_SWTPM_TIMEOUT: { status: 409, exception: 'QemuError', message: () => 'swtpm did not create its socket in time' },
  QEMU_OVMF_MISSING: { status: 409, exception: 'QemuError', message: () => 'UEFI boot requested but no OVMF firmware was found (install the ovmf package)' },
  QEMU_OPTIONS_INVALID: { status: 409, exception: 'QemuError', message: (reason: string) => `Invalid options: ${reason}` },
  QEMU_OPTION_FORBIDDEN: { status: 409, exception: 'QemuError', message: (option: string) => `Forbidden additional option: ${option}` },
  QEMU_BIOS_WITH_UEFI: { status: 409, exception: 'QemuError', message: () => 'Cannot use a BIOS image with UEFI boot enabled' },
  QEMU_HDC_WITH_CDROM: { status: 409, exception: 'QemuError', message: () => 'You cannot use a disk image on hdc and a CD-ROM image at the same time' },
  QEMU_CONSOLE_WHILE_RUNNING: { status: 409, exception: 'QemuError', message: (node: string) => `"${node}" must be stopped to change the console` },
  QEMU_VNC_PORT_TOO_LOW: {
    status: 409, exception: 'QemuError', message: (port: number) => `VNC console require a port superior or equal to 5900, current port is ${port}`,
  },
  QEMU_NO_VNC_PORT: {
    status: 409, exception: 'QemuError', message: (start: number, end: number) => `No free VNC console port (5900 or above) in the console range ${start}-${end}`,
  },
  QEMU_ADAPTERS_WHILE_RUNNING: { status: 409, exception: 'QemuError', message: (node: string) => `"${node}" must be stopped to change the number of adapters` },
  QEMU_ADAPTER_MISSING: { status: 409, exception: 'QemuError', message: (adapter: number, node: string) => `Adapter ${adapter} does not exist on QEMU VM "${node}"` },
  QEMU_ADAPTER_NOT_CONNECTED: { status: 409, exception: 'QemuError', message: (adapter: number) => `Adapter ${adapter} is not connected` },
  QEMU_START_FAILED: { status: 409, exception: 'QemuError', message: (node: string, reason: string) => `Could not start QEMU VM "${node}": ${reason}` },
  QEMU_SPAWN_FAILED: { status: 409, exception: 'QemuError', message: (binary: string, reason: string) => `Could not start QEMU ${binary}: ${reason}` },
  QEMU_EXITED_DURING_START: { status: 409, exception: 'QemuError', message: (exit: string, log: string) => `QEMU exited during start (code ${exit}): ${log}` },
  QEMU_LEGACY_NETWORKING: {
    status: 409, exception: 'QemuError', message: (version: string) => `Legacy networking is not supported by QEMU ${version} (needs a version older than 2.9)`,
  },
  QEMU_RESIZE_WHILE_RUNNING: { status: 409, exception: 'QemuError', message: (drive: string) => `Cannot resize ${drive} while the VM is running` },
  QEMU_NO_DISK_TO_RESIZE: { status: 409, exception: 'QemuError', message: (node: string, drive: string) => `QEMU VM "${node}" has no ${drive} disk image to resize` },
  QEMU_IMAGE_OUTSIDE: {
    status: 409, exception: 'QemuError', message: (name: string, dir: string) => `${name} is not allowed on this remote server. Please only use a file from '${dir}'`,
  },
  QEMU_IMAGE_MISSING: {
    status: 409, exception: 'ImageMissingError', message: (image: string) => `The image ${image} is missing`, fields: (image: string) => ({ image }),
  },
  QEMU_IMG_NOT_QEMU_IMG: { status: 409, exception: 'QemuError', message: (requested: string) => `${requested} is not a qemu-img binary` },
  QEMU_IMG_PATH_RELATIVE: { status: 409, exception: 'QemuError', message: (requested: string) => `qemu-img path ${requested} must be absolute` },
  QEMU_IMG_NOT_FOUND: { status: 409, exception: 'QemuError', message: () => 'qemu-img is not found in the path' },
  QEMU_IMG_FAILED: { status: 409, exception: 'QemuError', message: (command: string, output: string) => `Could not run qemu-img ${command}: ${output}` },
  QEMU_DISK_EXISTS: { status: 409, exception: 'QemuError', message: (path: string) => `Could not create disk image '${path}', file already exists` },
  QEMU_DISK_MISSING: { status: 409, exception: 'QemuError', message: (path: string) => `Qemu disk '${path}' does not exist` },

  // ---- compute: Dynamips routers ----
  DYNAMIPS_NOT_FOUND: { status: 409, exception: 'DynamipsError', message: () => 'Could not find Dynamips' },
  DYNAMIPS_NOT_EXECUTABLE: { status: 409, exception: 'DynamipsError', message: (path: string) => `Dynamips ${path} is not executable` },
  DYNAMIPS_VERSION_UNKNOWN: { status: 409, exception: 'DynamipsError', message: (path: string) => `Could not determine the Dynamips version for ${path}` },
  DYNAMIPS_VERSION_TOO_OLD: {
    status: 409, exception: 'DynamipsError', message: (minimum: string, found: string) => `Dynamips version must be >= ${minimum}, detected version is ${found}`,
  },
  DYNAMIPS_SPAWN_FAILED: { status: 409, exception: 'DynamipsError', message: (path: string, reason: string) => `Could not start Dynamips ${path}: ${reason}` },
  DYNAMIPS_COMMAND_FAILED: { status: 409, exception: 'DynamipsError', message: (reason: string) => reason },
  DYNAMIPS_START_FAILED: { status: 409, exception: 'DynamipsError', message: (reason: string, output: string) => (output ? `${reason}\n${output}` : reason) },
  DYNAMIPS_NOT_RUNNING: { status: 409, exception: 'DynamipsError', message: (router: string) => `Router "${router}" is not running` },
  DYNAMIPS_ID_TAKEN: { status: 409, exception: 'DynamipsError', message: (id: number) => `Dynamips identifier ${id} is already used by another router` },
  DYNAMIPS_IDS_EXHAUSTED: { status: 409, exception: 'DynamipsError', message: () => 'Maximum number of Dynamips instances reached' },
  DYNAMIPS_IMAGE_OUTSIDE: {
    status: 409, exception: 'DynamipsError', message: (name: string, dir: string) => `${name} is not allowed on this remote server. Please only use a file from '${dir}'`,
  },
  IOS_IMAGE_NOT_ACCESSIBLE: { status: 409, exception: 'DynamipsError', message: (path: string) => `IOS image "${path}" is not accessible` },
  IOS_IMAGE_LINK_NOT_ACCESSIBLE: {
    status: 409, exception: 'DynamipsError', message: (path: string, target: string) => `IOS image "${path}" linked to "${target}" is not accessible`,
  },
  IOS_IMAGE_UNREADABLE: { status: 409, exception: 'DynamipsError', message: (path: string, reason: string) => `Cannot read ELF header for IOS image "${path}": ${reason}` },
  IOS_IMAGE_INVALID: { status: 409, exception: 'DynamipsError', message: (path: string) => `"${path}" is not a valid IOS image` },
  DYNAMIPS_SLOT_MISSING: { status: 409, exception: 'DynamipsError', message: (slot: number, router: string) => `Slot ${slot} does not exist on router "${router}"` },
  DYNAMIPS_ADAPTER_MISSING: { status: 409, exception: 'DynamipsError', message: (slot: number) => `Adapter is missing in slot ${slot}` },
  DYNAMIPS_PORT_MISSING: { status: 409, exception: 'DynamipsError', message: (port: number, adapter: string) => `Port ${port} does not exist on adapter ${adapter}` },
  DYNAMIPS_HARDWARE_WHILE_RUNNING: {
    status: 409, exception: 'DynamipsError', message: (router: string) => `Router "${router}" must be stopped to change its hardware (chassis, NPE, RAM, slots, WICs)`,
  },
  DYNAMIPS_CONSOLE_WHILE_RUNNING: { status: 409, exception: 'DynamipsError', message: (router: string) => `"${router}" must be stopped to change the console type or ports` },
  DYNAMIPS_LINKED_PORT_WOULD_VANISH: {
    status: 409, exception: 'DynamipsError', message: (router: string) => `Router "${router}": remove the links of the ports that would disappear first`,
  },
  NODE_NOT_DYNAMIPS: { status: 400, message: (node: string) => `Node ${node} is not a Dynamips router` },
  DYNAMIPS_NO_IDLE_PC: { status: 409, exception: 'DynamipsError', message: () => 'No Idle-PC values found' },
  DYNAMIPS_IDLE_PC_UNSUITABLE: { status: 409, exception: 'DynamipsError', message: () => 'Sorry, no idle-pc value was suitable' },
  // ---- compute: Docker ----
  DOCKER_ANSWERED: { status: 409, exception: 'DockerError', message: (status: number, message: string) => `Docker has returned an error: ${status} ${message}` },
  DOCKER_ANSWERED_NOT_FOUND: { status: 409, exception: 'DockerHttp404Error', message: (message: string) => `Docker has returned an error: 404 ${message}` },
  DOCKER_UNREACHABLE: { status: 409, exception: 'DockerError', message: (reason: string) => `Can't connect to docker daemon (${reason})` },
  DOCKER_CLIENT_FAILED: { status: 409, exception: 'DockerError', message: (reason: string) => `Docker error: ${reason}` },
  DOCKER_API_TOO_OLD: {
    status: 409, exception: 'DockerError', message: (version: string, api: string, minimum: string) => `Docker version is ${version} (API ${api}); patchbay requires API ${minimum} or later`,
  },
  DOCKER_IMAGE_MISSING: {
    status: 409, exception: 'DockerError',
    message: (image: string) => `Docker image "${image}" is not available on this compute; pull or build it there first (patchbay does not pull images)`,
  },
  DOCKER_VNC_PROGRAMS_MISSING: {
    status: 409, exception: 'DockerError',
    message: (missing: string) => `Please install ${missing} on this host before using VNC consoles (Debian packages xvfb and x11vnc)`,
  },
  DOCKER_VNC_FAILED: {
    status: 409, exception: 'DockerError', message: (node: string, reason: string) => `Could not start the VNC console of Docker container '${node}': ${reason}`,
  },
  DOCKER_VNC_PORT_TOO_LOW: {
    status: 409, exception: 'NodeError', message: (port: number) => `VNC console require a port superior or equal to 5900, current port is ${port}`,
  },
  DOCKER_PATH_WITH_COLON: {
    status: 409, exception: 'DockerError', message: () => "Cannot create a Docker container with a project directory containing a colon character (':')",
  },
  DOCKER_ADAPTER_MISSING: { status: 409, exception: 'DockerError', message: (adapter: number, node: string) => `Adapter ${adapter} doesn't exist on Docker container '${node}'` },
  DOCKER_START_COMMAND_INVALID: { status: 409, exception: 'DockerError', message: (command: string, reason: string) => `Invalid start command '${command}': ${reason}` },
  DOCKER_EXITED_AT_START: { status: 409, exception: 'DockerError', message: (node: string, log: string) => `Docker container '${node}' exited at start: ${log}` },
  DOCKER_START_FAILED: { status: 409, exception: 'DockerError', message: (node: string, reason: string) => `Could not start Docker container '${node}': ${reason}` },
  DOCKER_BUSYBOX_MISSING: { status: 409, exception: 'DockerError', message: (path: string) => `No busybox executable could be found at ${path}: install busybox-static` },
  DOCKER_RESOURCES_FAILED: { status: 409, exception: 'DockerError', message: (dir: string, reason: string) => `Cannot prepare the container resources in ${dir}: ${reason}` },
  DOCKER_BUSYBOX_NOT_STATIC: { status: 409, exception: 'DockerError', message: (path: string) => `${path} is not a statically linked busybox: install busybox-static` },

  // ---- host networking (NAT, cloud and Docker ports) ----
  HOST_NETWORKING_NOT_LINUX: { status: 409, message: (purpose: string, platform: string) => `${purpose} needs Linux host networking (this host runs ${platform})` },
  CAPABILITIES_MISSING: {
    status: 409,
    exception: 'NodeError',
    message: (purpose: string, missing: readonly string[]) =>
      `${purpose} needs the capabilit${missing.length > 1 ? 'ies' : 'y'} ${missing.join(', ')}, which the agent does not have; ` +
      'grant them as ambient capabilities of the service (AmbientCapabilities in patchbay-agent.service)',
  },
  NAT_BRIDGE_NAME_TAKEN: {
    status: 409,
    exception: 'NodeError',
    message: (bridge: string) => `Cannot create the NAT bridge "${bridge}": an interface of that name exists and was not made by this agent; set nat_bridge to another name`,
  },
  NAT_SUBNET_OVERLAPS: {
    status: 409, exception: 'NodeError', message: (cidr: string, clash: string) => `Cannot use nat_subnet ${cidr}: it overlaps ${clash}; set nat_subnet to a free subnet`,
  },
  NAT_NETWORK_FAILED: { status: 409, exception: 'NodeError', message: (bridge: string, reason: string) => `Cannot create the NAT network on "${bridge}": ${reason}` },

  // ---- relay: raw and TAP bridge sides (the capability check is CAPABILITIES_MISSING) ----
  RELAY_INTERFACE_INVALID: { status: 400, message: (name: string, problem: string) => `Interface name "${name}" ${problem}` },
  RELAY_INTERFACE_MISSING: { status: 409, message: (name: string) => `Interface "${name}" does not exist on this host` },
  RELAY_BACKEND_UNSUPPORTED: {
    status: 409,
    message: (what: string, reason: string) =>
      `Cannot open ${what}: the relay uses its dgram I/O (${reason}); raw and TAP endpoints need --relay-io native`,
  },

  // ---- controller: computes (and what a compute answered, mapped as GNS3's controller maps it) ----
  COMPUTE_NOT_FOUND: { status: 404, message: (id: string) => `Compute ID ${id} doesn't exist` },
  COMPUTE_NAME_TAKEN: { status: 409, message: (name: string) => `Compute name "${name}" already exists` },
  COMPUTE_NOT_GNS3: { status: 409, message: (id: string) => `The server ${id} is not a GNS3 server` },
  COMPUTE_UNREACHABLE: { status: 409, message: (compute: string, method: string, path: string) => `Cannot connect to compute '${compute}' with request ${method} ${path}` },
  COMPUTE_REQUEST_TIMEOUT: {
    status: 408, message: (compute: string, method: string, path: string) => `Timeout when sending request ${method} ${path} to compute '${compute}'`,
  },
  COMPUTE_BAD_REQUEST: { status: 400, message: (where: string, body: string) => `Bad request ${where} ${body}` },
  COMPUTE_UNAUTHORIZED: { status: 401, message: (message: string) => message },
  COMPUTE_FORBIDDEN: { status: 403, message: (message: string) => message },
  COMPUTE_ANSWERED_NOT_FOUND: { status: 404, message: (message: string) => message },
  COMPUTE_TIMEOUT: { status: 408, message: (message: string) => message },
  COMPUTE_CONFLICT: {
    status: 409,
    message: (message: string, _fields: ForwardedFields) => message,
    fields: (_message: string, { exception, image }: ForwardedFields) => ({ ...(exception ? { exception } : {}), ...(image ? { image } : {}) }),
  },
  COMPUTE_UNAVAILABLE: { status: 503, message: (message: string) => message },
  COMPUTE_INTERNAL: { status: 500, message: (where: string, message?: string) => `Internal server error ${where}${message ? `: ${message}` : ''}` },

  // ---- controller: server, projects, templates ----
  CLIENT_VERSION_MISMATCH: { status: 409, message: (client: string, server: string) => `Client version ${client} is not the same as server version ${server}` },
  LOCAL_SERVER_ONLY: { status: 403, message: (action: 'stop' | 'debug') => `You can only ${action} a local server` },
  LOCAL_CONTROLLER_ONLY: { status: 403, message: () => '' },
  PROJECT_PATH_QUOTE: { status: 403, message: () => 'You are not allowed to use " in the project path' },
  PROJECT_PATH_NOT_ALLOWED: { status: 403, message: () => 'The path is not allowed' },
  PROJECT_PATH_EXISTS: { status: 403, message: (path: string) => `The path ${path} already exist.` },
  PROJECT_NAME_TAKEN: { status: 409, message: (name: string) => `Project "${name}" already exists` },
  PROJECT_CREATE_DIRECTORY_FAILED: { status: 409, message: (path: string, reason: string) => `Could not create project directory ${path}: ${reason}` },
  PROJECT_NOT_OPENED: { status: 403, message: () => 'The project is not opened' },
  PROJECT_CLOSING: { status: 409, message: () => 'Project is closing, please try again in a few seconds...' },
  PROJECT_SAVE_FAILED: { status: 409, message: (file: string, reason: string) => `Cannot save project ${file}: ${reason}` },
  TOPOLOGY_FILE_UNREADABLE: { status: 404, message: (file: string, reason: string) => `Cannot read topology file ${file}: ${reason}` },
  TOPOLOGY_INVALID: { status: 409, message: (reason: string) => `Invalid data in topology file: ${reason}` },
  TOPOLOGY_TOO_NEW: {
    status: 409,
    message: (revision: number, version: string) =>
      `This project was created with more recent version of GNS3 (file revision: ${revision}). Please upgrade GNS3 to version ${version} or later`,
  },
  TOPOLOGY_TOO_OLD: {
    status: 409, message: (revision: number) => `This project uses topology revision ${revision}; open and save it once with GNS3 2.1 or later to upgrade it`,
  },
  PROJECT_RUNNING_EXPORT: { status: 409, message: () => 'Project must be stopped in order to export it' },
  ARCHIVE_INVALID_ZIP: { status: 409, message: () => 'Cannot import project, not a GNS3 project (invalid zip)' },
  ARCHIVE_NO_TOPOLOGY: { status: 409, message: () => 'Cannot import project, project.gns3 file could not be found' },
  /** A decompression bomb, or an archive beyond what an import accepts (controller/archive.ts IMPORT_LIMITS). */
  ARCHIVE_LIMIT: { status: 413, message: (reason: string) => `Cannot import project, ${reason}` },
  PROJECT_DUPLICATE_FAILED: { status: 409, message: (reason: string) => `Cannot duplicate project: ${reason}` },
  SNAPSHOT_NAME_TAKEN: { status: 409, message: (name: string) => `The snapshot name ${name} already exists` },
  SNAPSHOT_NOT_FOUND: { status: 404, message: (id: string) => `Snapshot ID ${id} doesn't exist` },
  TEMPLATE_NOT_FOUND: { status: 404, message: (id: string) => `Template ID ${id} doesn't exist` },
  TEMPLATE_ID_TAKEN: { status: 409, message: (id: string) => `Template ID '${id}' already exists` },
  TEMPLATE_BUILTIN: {
    status: 409, message: (id: string, action: 'modified' | 'deleted' | 'duplicated') => `Template ID ${id} cannot be ${action} because it is a builtin`,
  },
  TEMPLATE_INVALID: { status: 400, message: (json: string, reason: string) => `JSON schema error adding template with JSON data '${json}': ${reason}`.trim() },

  // ---- controller: nodes, links, drawings ----
  CONTROLLER_NODE_NOT_FOUND: { status: 404, message: (id: string) => `Node ID ${id} doesn't exist` },
  NODE_LOCKED: { status: 409, message: (node: string) => `Node ${node} cannot be deleted because it is locked` },
  NODE_RUNNING_DUPLICATE: { status: 409, message: (node: string) => `Cannot duplicate node ${node} because it is running` },
  NODE_NOT_DUPLICABLE: { status: 409, message: () => 'This node type cannot be duplicated' },
  NODE_NO_DISKS: { status: 409, message: (node: string, type: string) => `Node ${node} is a ${type} node: only QEMU nodes have disks to resize` },
  NODE_NO_WEB_CONSOLE: { status: 404, message: (node: string) => `Node ${node} has no console reachable over WebSocket` },
  NODE_NAME_BAD_REPLACEMENT: { status: 409, message: (field: string) => `{${field}} is not a valid replacement string in the node name` },
  NODE_NAME_EXHAUSTED: { status: 409, message: () => 'A node name could not be allocated (node limit reached?)' },
  PORT_NAME_FORMAT_INVALID: { status: 409, message: (format: string) => `Invalid port name format ${format}` },
  LINK_NOT_FOUND: { status: 404, message: (id: string) => `Link ID ${id} doesn't exist` },
  LINK_PORT_NOT_FOUND: { status: 404, message: (adapter: number, port: number, node: string) => `Port ${adapter}/${port} for ${node} not found` },
  LINK_PORT_USED: { status: 409, message: () => 'Port is already used' },
  LINK_TO_ITSELF: { status: 409, message: () => 'Cannot connect to itself' },
  LINK_CLOUD_TO_CLOUD: { status: 409, message: () => "It's not allowed to connect a cloud or NAT to another cloud or NAT" },
  LINK_TYPE_MISMATCH: { status: 409, message: (from: string, to: string) => `Connecting a ${from} interface to a ${to} interface is not allowed` },
  LINK_NO_CAPTURE_DEVICE: { status: 409, message: () => 'Cannot capture because there is no running device on this link' },
  LINK_NO_CAPTURE: { status: 409, message: () => 'This link has no active packet capture' },
  DRAWING_NOT_FOUND: { status: 404, message: (id: string) => `Drawing ID ${id} doesn't exist` },
  DRAWING_LOCKED: { status: 409, message: (id: string) => `Drawing ID ${id} cannot be deleted because it is locked` },
  // ---- v3 API: validation, access control, resource pools, v3-only controller rules ----
  V3_VALIDATION: { status: 422, message: (text: string) => text },
  V3_NOT_FOUND: { status: 404, message: () => 'Not Found' },
  PERMISSION_DENIED: { status: 403, message: (privilege: string) => `Permission denied (privilege ${privilege} is required)` },
  PRIVILEGE_NOT_HELD: {
    status: 403, message: (privilege: string, path: string) => `Permission denied (privilege ${privilege} on '${path}' cannot be granted by a user who does not hold it)`,
  },
  SUPERADMIN_ONLY: { status: 403, message: () => 'Only the super admin can modify the super admin' },
  SUPERADMIN_DELETE: { status: 403, message: () => 'The super admin cannot be deleted' },
  USER_NOT_FOUND: { status: 404, message: (id: string) => `User '${id}' not found` },
  USERNAME_TAKEN: { status: 400, message: (name: string) => `Username '${name}' is already registered` },
  EMAIL_TAKEN: { status: 400, message: (email: string) => `Email '${email}' is already registered` },
  GROUP_NOT_FOUND: { status: 404, message: (id: string) => `User group '${id}' not found` },
  GROUP_NAME_TAKEN: { status: 400, message: (name: string) => `User group '${name}' already exists` },
  GROUP_BUILTIN: { status: 403, message: (id: string, action: 'updated' | 'deleted') => `Built-in user group '${id}' cannot be ${action}` },
  ROLE_NOT_FOUND: { status: 404, message: (id: string) => `Role '${id}' not found` },
  ROLE_NAME_TAKEN: { status: 400, message: (name: string) => `Role '${name}' already exists` },
  ROLE_BUILTIN: { status: 403, message: (id: string, action: 'updated' | 'deleted') => `Built-in role '${id}' cannot be ${action}` },
  PRIVILEGE_NOT_FOUND: { status: 404, message: (id: string) => `Privilege '${id}' not found` },
  ACE_NOT_FOUND: { status: 404, message: (id: string) => `ACE '${id}' not found` },
  ACE_SUBJECT_MISSING: { status: 400, message: (type: 'user' | 'group') => `A ${type} ACE needs a ${type}_id` },
  ACE_PATH_UNKNOWN: { status: 400, message: (path: string) => `Path '${path}' doesn't match any existing endpoint` },
  POOL_NOT_FOUND: { status: 404, message: (id: string) => `Resource pool '${id}' not found` },
  POOL_NAME_TAKEN: { status: 400, message: (name: string) => `Resource pool '${name}' already exists` },
  POOL_HAS_RESOURCE: { status: 400, message: (resource: string, pool: string) => `Resource '${resource}' is already in '${pool}'` },
  POOL_LACKS_RESOURCE: { status: 404, message: (resource: string, pool: string) => `Resource '${resource}' is not in '${pool}'` },
  TEMPLATE_BUILTIN_READ_ONLY: {
    status: 403, message: (id: string, action: 'updated' | 'deleted' | 'duplicated') => `Template '${id}' cannot be ${action} because it is built-in`,
  },
  TEMPLATE_NAME_TAKEN: { status: 409, message: (name: string) => `A template with name '${name}' already exists` },
  COMPUTE_ALREADY_REGISTERED: { status: 400, message: (id: string) => `Compute '${id}' is already registered` },
  COMPUTE_NOT_REGISTERED: { status: 404, message: (id: string) => `Compute '${id}' not found` },
  COMPUTE_CONNECT_FAILED: { status: 409, message: (reason: string) => reason },
  NODE_RENAME_RUNNING: { status: 409, message: () => 'Sorry, it is not possible to rename a node that is already powered on' },
  IMAGE_NOT_FOUND: { status: 404, message: (name: string) => `Image '${name}' not found` },
  IMAGE_AMBIGUOUS: { status: 400, message: (name: string) => `Image '${name}' is ambiguous: several image types have a file of that name` },
  IMAGE_IN_USE: { status: 409, message: (name: string, templates: string) => `Image '${name}' is used by one or more templates: ${templates}` },
  TEMPLATE_IMAGE_UNKNOWN: { status: 404, message: (name: string) => `Image '${name}' could not be found in the controller database` },
  TEMPLATE_IMAGE_TYPE: { status: 400, message: (name: string, wanted: string, actual: string) => `Image '${name}' type is not '${wanted}' but '${actual}'` },
  DISK_IMAGE_EXISTS: { status: 400, message: (path: string) => `Disk image '${path}' already exists` },
  DISK_IMAGE_NOT_QEMU: {
    status: 400, message: (action: 'Creating' | 'Updating' | 'Deleting') => `${action} a disk image is only supported on a Qemu node`,
  },
  EXPORT_LEVEL_RANGE: { status: 400, message: (low: number, high: number, method: string) => `Compression level must be between ${low} and ${high} for ${method} compression` },
  EXPORT_LEVEL_UNSUPPORTED: { status: 400, message: (method: string) => `Compression level is not supported for '${method}' compression method` },
  APPLIANCE_NOT_FOUND: { status: 404, message: (id: string) => `Could not find appliance '${id}'` },
  LINK_NOT_CLOUD_NAT: { status: 409, message: () => 'Link not connected to Cloud/NAT' },
  GNS3VM_UNAVAILABLE: {
    status: 409, message: (vm: string, engine: string) => `GNS3VM: Cannot start the GNS3 VM "${vm}": patchbay runs no ${engine} engine`,
  },
  PROJECT_LOAD_LOCAL_ONLY: { status: 403, message: () => 'Projects can only be loaded from a path on a local server' },
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof kinds;
export type Kinds = typeof kinds;
export const ERROR_KINDS: Readonly<Record<ErrorCode, ErrorKind>> = kinds;
export { kinds };
