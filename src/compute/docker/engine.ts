/**
 * The Docker Engine as Docker nodes need it, through dockerode on the daemon's unix socket. The API version is
 * negotiated (the daemon's own, capped at the newest we know), never pinned: GNS3 2.2.41 pins 1.25 and fails
 * against Docker 25+. Docker's failures become 409s with GNS3's wording. dockerode loads with the first Docker call.
 */
import type Docker from 'dockerode';
import type { Duplex } from 'node:stream';
import { PatchbayError, fail } from '../../errors/index.ts';
import type { ImageConfig } from './settings.ts';

/** Oldest API with everything used here (`wait?condition=next-exit`, `Mounts`), and the newest we were written for. */
const MIN_API = [1, 30] as const;
const MAX_API = [1, 47] as const;

const parseVersion = (text: string): [number, number] => {
  const [major, minor] = text.split('.').map(Number);
  return [major ?? 0, minor ?? 0];
};
const older = (a: readonly number[], b: readonly number[]) => a[0]! < b[0]! || (a[0] === b[0] && a[1]! < b[1]!);

type DockerFailure = Error & { statusCode?: number; json?: { message?: string } | null; reason?: string; code?: string };

/** A Docker answer ≥ 300 as GNS3 words it; an unreachable socket as "Can't connect to docker daemon". */
export function dockerError(err: unknown): PatchbayError {
  if (err instanceof PatchbayError) return err;
  const failure = err as DockerFailure;
  if (failure.statusCode) {
    const message = failure.json?.message ?? failure.reason ?? failure.message;
    const text = String(message).trim();
    return failure.statusCode === 404 ? fail('DOCKER_ANSWERED_NOT_FOUND', text) : fail('DOCKER_ANSWERED', failure.statusCode, text);
  }
  if (['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EPIPE'].includes(failure.code ?? '')) {
    return fail('DOCKER_UNREACHABLE', failure.code!);
  }
  return fail('DOCKER_CLIENT_FAILED', failure.message ?? String(err));
}

const call = async <T>(promise: Promise<T>): Promise<T> => {
  try {
    return await promise;
  } catch (err) {
    throw dockerError(err);
  }
};

export type ImageSummary = { image: string };

export type ContainerState = { running: boolean; paused: boolean; pid: number; exitCode: number };

export type ExecOptions = { cmd: string[]; tty: boolean; env?: string[] };

export class DockerEngine {
  readonly #socketPath: string;
  #docker: Docker | null = null;
  #connecting: Promise<Docker> | null = null;

  constructor(socketPath: string) {
    this.#socketPath = socketPath;
  }

  /** The client, after negotiating the API version once (retried on the next call if the daemon was down). */
  async #client(): Promise<Docker> {
    if (this.#docker) return this.#docker;
    this.#connecting ??= (async () => {
      const { default: DockerClient } = await import('dockerode');
      const probe = new DockerClient({ socketPath: this.#socketPath });
      const version = await call(probe.version() as Promise<{ ApiVersion: string; MinAPIVersion?: string; Version: string }>);
      const daemon = parseVersion(version.ApiVersion);
      if (older(daemon, MIN_API)) {
        throw fail('DOCKER_API_TOO_OLD', version.Version, version.ApiVersion, MIN_API.join('.'));
      }
      const use = older(MAX_API, daemon) ? MAX_API : daemon;
      this.#docker = new DockerClient({ socketPath: this.#socketPath, version: `v${use.join('.')}` });
      return this.#docker;
    })().finally(() => {
      this.#connecting = null;
    });
    return this.#connecting;
  }

  /** The image's settings, or null when the image is not present locally. */
  async image(name: string): Promise<ImageConfig | null> {
    const docker = await this.#client();
    try {
      const info = await docker.getImage(name).inspect();
      const config = info.Config ?? ({} as typeof info.Config);
      return {
        entrypoint: config.Entrypoint ? [config.Entrypoint].flat() : [],
        cmd: config.Cmd ? [config.Cmd].flat() : [],
        user: config.User ?? '',
        volumes: Object.keys(config.Volumes ?? {}),
      };
    } catch (err) {
      if ((err as DockerFailure).statusCode === 404) return null;
      throw dockerError(err);
    }
  }

  /** Local images as GNS3 lists them: one entry per repository tag, untagged images left out. */
  async images(): Promise<ImageSummary[]> {
    const docker = await this.#client();
    const list = await call(docker.listImages({ all: false }));
    const names = list.flatMap((img) => img.RepoTags ?? []).filter((tag) => tag !== '<none>:<none>');
    return names.sort().map((image) => ({ image }));
  }

  async create(body: Record<string, unknown>): Promise<string> {
    const docker = await this.#client();
    const container = await call(docker.createContainer(body as Docker.ContainerCreateOptions));
    return container.id;
  }

  async state(id: string): Promise<ContainerState> {
    const docker = await this.#client();
    const info = await call(docker.getContainer(id).inspect());
    return { running: info.State.Running, paused: info.State.Paused, pid: info.State.Pid, exitCode: info.State.ExitCode };
  }

  async start(id: string): Promise<void> {
    const docker = await this.#client();
    await this.#tolerating304(docker.getContainer(id).start());
  }

  async stop(id: string, graceSeconds: number): Promise<void> {
    const docker = await this.#client();
    await this.#tolerating304(docker.getContainer(id).stop({ t: graceSeconds }));
  }

  async pause(id: string): Promise<void> {
    const docker = await this.#client();
    await call(docker.getContainer(id).pause());
  }

  async unpause(id: string): Promise<void> {
    const docker = await this.#client();
    await call(docker.getContainer(id).unpause());
  }

  /** Removes the container and its anonymous volumes; an already removed one is fine. */
  async remove(id: string): Promise<void> {
    const docker = await this.#client();
    try {
      await docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      if ((err as DockerFailure).statusCode !== 404) throw dockerError(err);
    }
  }

  /** Resolves with the exit code at the container's next exit (issued before starting it, so no exit is missed). */
  async nextExit(id: string): Promise<{ exited: Promise<number> }> {
    const docker = await this.#client();
    const waiting = docker.getContainer(id).wait({ condition: 'next-exit' }) as Promise<{ StatusCode: number }>;
    // Wrapped: an async function returning the promise itself would wait for the exit.
    return { exited: waiting.then((answer) => answer.StatusCode, (err) => Promise.reject(dockerError(err))) };
  }

  /** A duplex stream on the container's TTY (stdin in, output out). */
  async attach(id: string): Promise<Duplex> {
    const docker = await this.#client();
    return call(docker.getContainer(id).attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as Promise<Duplex>;
  }

  async resize(id: string, rows: number, cols: number): Promise<void> {
    const docker = await this.#client();
    await call(docker.getContainer(id).resize({ h: rows, w: cols }));
  }

  /**
   * Runs a command in the container; with `tty` the stream is raw (and `resize` sets the exec's terminal size),
   * otherwise Docker multiplexes stdout/stderr.
   */
  async exec(id: string, options: ExecOptions): Promise<{
    stream: Duplex;
    demux: (out: NodeJS.WritableStream) => void;
    resize: (columns: number, rows: number) => Promise<void>;
  }> {
    const docker = await this.#client();
    const exec = await call(docker.getContainer(id).exec({
      Cmd: options.cmd,
      Env: options.env,
      Tty: options.tty,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
    }));
    const stream = await call(exec.start({ hijack: true, stdin: true, Tty: options.tty }));
    return {
      stream,
      demux: (out) => docker.modem.demuxStream(stream, out, out),
      resize: (columns, rows) => call(exec.resize({ h: rows, w: columns })),
    };
  }

  /** A tar stream of `path` in the container's filesystem, or null when the path does not exist. */
  async archive(id: string, path: string): Promise<NodeJS.ReadableStream | null> {
    const docker = await this.#client();
    try {
      return await docker.getContainer(id).getArchive({ path });
    } catch (err) {
      if ((err as DockerFailure).statusCode === 404) return null;
      throw dockerError(err);
    }
  }

  /** The last lines the container printed (shown when it dies). */
  async logs(id: string, lines = 40): Promise<string> {
    const docker = await this.#client();
    try {
      const buffer = await docker.getContainer(id).logs({ stdout: true, stderr: true, tail: lines, follow: false });
      return Buffer.from(buffer as unknown as Uint8Array).toString('utf8');
    } catch {
      return '';
    }
  }

  /** Containers (running or not) carrying `label=value`, with all their labels. */
  async containersWithLabel(label: string, value: string): Promise<Array<{ id: string; labels: Record<string, string> }>> {
    const docker = await this.#client();
    const list = await call(docker.listContainers({ all: true, filters: { label: [`${label}=${value}`] } }));
    return list.map((c) => ({ id: c.Id, labels: c.Labels ?? {} }));
  }

  async #tolerating304(promise: Promise<unknown>): Promise<void> {
    try {
      await promise;
    } catch (err) {
      if ((err as DockerFailure).statusCode !== 304) throw dockerError(err);
    }
  }
}
