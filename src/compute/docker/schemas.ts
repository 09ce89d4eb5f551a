/**
 * Docker node bodies (GNS3 2.2 DOCKER_CREATE_SCHEMA / DOCKER_OBJECT_SCHEMA, with 2.2.50's `mac_address`), plus the
 * `privileged` opt-in.
 */
import * as v from 'valibot';
import { Name, Port, Uuid } from '../schemas.ts';
import { environmentProblem, extraHostsProblem, isImageReference, volumeProblem } from './settings.ts';

export const DockerConsoleType = v.picklist(['telnet', 'vnc', 'http', 'https', 'none']);

/** A string checked by one of the pure settings checks (null = fine), so the 400 names the field and the line. */
const checkedText = (problem: (text: string) => string | null) =>
  v.pipe(
    v.string(),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const found = problem(dataset.value);
      if (found) addIssue({ message: found });
    }),
  );

const Image = v.pipe(
  v.string(),
  v.minLength(1, 'must not be empty'),
  v.check(isImageReference, 'is not a valid Docker image reference'),
);
const Adapters = v.pipe(v.number(), v.integer(), v.minValue(1, 'must be at least 1 (the init script waits for eth0)'), v.maxValue(99));
const ExtraVolumes = v.array(checkedText(volumeProblem));
const Resolution = v.pipe(v.string(), v.regex(/^[0-9]+x[0-9]+$/, 'must be WIDTHxHEIGHT'));
const Mac = v.pipe(v.string(), v.regex(/^([0-9a-fA-F]{2}[:]){5}[0-9a-fA-F]{2}$/, 'must be a MAC address'));
const CustomAdapter = v.object({
  adapter_number: v.pipe(v.number(), v.integer(), v.minValue(0)),
  port_name: v.optional(v.string()),
  adapter_type: v.optional(v.string()),
  mac_address: v.optional(Mac),
});

/** Settings shared by create and update. */
const settings = {
  console: v.optional(v.nullable(Port)),
  console_resolution: v.optional(v.nullable(Resolution)),
  console_http_port: v.optional(Port),
  console_http_path: v.optional(v.string()),
  aux: v.optional(v.nullable(Port)),
  usage: v.optional(v.string()),
  start_command: v.optional(v.nullable(v.string())),
  adapters: v.optional(v.nullable(Adapters)),
  environment: v.optional(v.nullable(checkedText(environmentProblem))),
  extra_hosts: v.optional(v.nullable(checkedText(extraHostsProblem))),
  extra_volumes: v.optional(ExtraVolumes),
  container_id: v.optional(v.pipe(v.string(), v.regex(/^[a-f0-9]{12,64}$/, 'must be a container id'))),
  custom_adapters: v.optional(v.array(CustomAdapter)),
  /** Base MAC: adapter n gets base + n (GNS3 2.2.50); '', null or absent derive it from the node id. */
  mac_address: v.optional(v.nullable(v.union([v.literal(''), Mac], 'must be a MAC address or ""'))),
  /** patchbay extension: run the container privileged with every capability, as GNS3 always does. */
  privileged: v.optional(v.boolean()),
};

export const DockerCreate = v.strictObject({
  name: Name,
  image: Image,
  node_id: v.optional(Uuid),
  // GNS3 lists it as optional but fails after creating the container when it is missing; we refuse up front.
  console_type: DockerConsoleType,
  ...settings,
});
export type DockerCreate = v.InferOutput<typeof DockerCreate>;

/** Everything the node JSON holds may be sent back; only the settings are applied (GNS3 ignores `image`, `usage`). */
export const DockerUpdate = v.strictObject({
  name: v.optional(Name),
  image: v.optional(v.string()),
  console_type: v.optional(DockerConsoleType),
  node_id: v.optional(v.string()),
  project_id: v.optional(v.string()),
  status: v.optional(v.string()),
  node_directory: v.optional(v.nullable(v.string())),
  ...settings,
});
export type DockerUpdate = v.InferOutput<typeof DockerUpdate>;
