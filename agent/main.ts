#!/usr/bin/env node
/** `patchbay agent|controller [options]`: parses options, starts the daemon, stops cleanly on SIGTERM/SIGINT. */
import { parseArgs } from 'node:util';
import process from 'node:process';
import { ConfigError, OPTION_HELP, envOf, flagOf, loadConfig } from '../src/config/agent-config.ts';
import { createLogger } from '../src/log/logger.ts';
import { compactWhenFragmented } from '../src/runtime/heap-compaction.ts';
import { boundHeapGrowth } from '../src/runtime/heap-growth.ts';
import { holdOptimisingCompiler } from '../src/runtime/startup-tiering.ts';
import { delayTierUp } from '../src/runtime/tier-up.ts';
import { PATCHBAY_VERSION } from './version.ts';

const USAGE = `patchbay ${PATCHBAY_VERSION}: a GNS3 v2.2 compatible network emulation backend

Usage: patchbay [agent|controller] [options]

  agent        serve the compute API (/v2/compute) only
  controller   serve the controller API (/v2) and a local compute (default)

Options (also PATCHBAY_<NAME> environment variables, or keys of a JSON --config file):
  --config FILE            JSON file with any of the keys below (e.g. {"port": 3080}), or GNS3's
                           gns3_server.conf ([Server] host, port, auth, user, password, paths, port ranges;
                           [VPCS] vpcs_path)
${Object.entries(OPTION_HELP).map(([key, help]) => `  ${`${flagOf(key)} VALUE`.padEnd(25)}${help} [${envOf(key)}]`).join('\n')}
  -h, --help               show this help
  -v, --version            print the version
`;

/** Request drain (5 s) plus emulator stops (TERM, then KILL after 3 s) fit well within it. */
const SHUTDOWN_LIMIT_MS = 20_000;

async function main(argv: string[]): Promise<number> {
  const options = Object.fromEntries(
    Object.keys(OPTION_HELP).map((key) => [flagOf(key).slice(2), { type: 'string' as const }]),
  );
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...options, config: { type: 'string' }, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.version) {
    console.log(PATCHBAY_VERSION);
    return 0;
  }
  const mode = positionals[0] ?? 'controller';
  if (mode !== 'agent' && mode !== 'controller') {
    console.error(`Unknown command "${mode}"\n\n${USAGE}`);
    return 2;
  }
  const cli = Object.fromEntries(
    Object.entries(values).map(([flag, value]) => [flag.replaceAll('-', '_'), typeof value === 'string' ? value : undefined]),
  );
  let config;
  const warnings: string[] = [];
  try {
    config = loadConfig(cli, process.env, (message) => warnings.push(message));
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  const log = createLogger({ level: config.log_level });
  for (const message of warnings) log.warn(message);
  // Before any child is started: emulators must not inherit the service's ambient capabilities.
  const { confineCapabilities } = await import('../src/process/capabilities.ts');
  try {
    confineCapabilities();
  } catch (err) {
    log.error((err as Error).message);
    return 1;
  }
  // Until the daemon listens: loading its modules must not page in the optimising compiler (≈ 2 MiB, see there).
  const resumeOptimising = holdOptimisingCompiler();
  // Garbage must not pile up to several times the live heap between full collections on a long-running host.
  boundHeapGrowth();
  // Nor may the surviving objects stay spread over partly used pages after many rounds of starts and stops.
  compactWhenFragmented();
  // Request handling is not hot enough for TurboFan to pay back its compilation on a host's few hundred starts.
  delayTierUp();
  // Loaded only now: `--help`, `--version` and option errors need none of the daemon's modules.
  const [{ startDaemon }, { StateDirBusyError }, { StateFileError }] = await Promise.all([
    import('./daemon.ts'),
    import('../src/compute/reaper.ts'),
    import('../src/compute/state-file.ts'),
  ]);
  let daemon;
  try {
    daemon = await startDaemon(config, mode, log);
  } catch (err) {
    if (err instanceof StateDirBusyError || err instanceof StateFileError) {
      log.error(err.message);
      return 1;
    }
    throw err;
  }
  resumeOptimising();
  // The URL is followed by a space so that scripts can cut it out of both the text and the JSON form.
  log.info(`patchbay ${mode} listening on ${daemon.url} (version ${PATCHBAY_VERSION})`, { mode, url: daemon.url, pid: process.pid });
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info(`patchbay received ${signal}, stopping emulators`, { signal });
      resolve();
    };
    // Stay subscribed: a second signal (systemd and `timeout` both resend) must not kill us mid-cleanup.
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
  // A stuck emulator must not keep the service from stopping (systemd's TimeoutStopSec is set above this).
  const deadline = setTimeout(() => {
    log.error('shutdown took too long, exiting', { limit_ms: SHUTDOWN_LIMIT_MS });
    process.exit(1);
  }, SHUTDOWN_LIMIT_MS);
  await daemon.close();
  clearTimeout(deadline);
  log.info('patchbay stopped');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
