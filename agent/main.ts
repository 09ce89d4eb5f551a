/** `patchbay agent|controller [options]`: parses options, starts the daemon, stops cleanly on SIGTERM/SIGINT. */
import { parseArgs } from 'node:util';
import process from 'node:process';
import { ConfigError, OPTION_HELP, envOf, flagOf, loadConfig } from '../src/config/agent-config.ts';
import { PATCHBAY_VERSION, startDaemon } from './daemon.ts';

const USAGE = `patchbay ${PATCHBAY_VERSION}: a GNS3 v2.2 compatible network emulation backend

Usage: patchbay [agent|controller] [options]

  agent        serve the compute API (/v2/compute) only
  controller   serve the controller API (/v2) and a local compute (default)

Options (also PATCHBAY_<NAME> environment variables, or keys of a JSON --config file):
  --config FILE            JSON file with any of the keys below (e.g. {"port": 3080})
${Object.entries(OPTION_HELP).map(([key, help]) => `  ${`${flagOf(key)} VALUE`.padEnd(25)}${help} [${envOf(key)}]`).join('\n')}
  -h, --help               show this help
  -v, --version            print the version
`;

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
  try {
    config = loadConfig(cli, process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  const daemon = await startDaemon(config, mode);
  console.log(`patchbay ${mode} listening on ${daemon.url}`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`patchbay received ${signal}, stopping emulators`);
      resolve();
    };
    // Stay subscribed: a second signal (systemd and `timeout` both resend) must not kill us mid-cleanup.
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
  // A stuck emulator must not keep the service from stopping.
  const deadline = setTimeout(() => {
    console.error('patchbay: shutdown took too long, exiting');
    process.exit(1);
  }, 15_000);
  await daemon.close();
  clearTimeout(deadline);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
