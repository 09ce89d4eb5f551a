/**
 * A tiny structured logger: JSON lines when stdout is not a terminal (journald, launchd, log shippers), one readable
 * line per record on a terminal. Records below the configured level cost one comparison.
 *
 * @example
 * const log = createLogger({ level: 'debug' });
 * log.info('node started', { node_id: id, pid });
 */
import process from 'node:process';
import { format } from 'node:util';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFields = Record<string, unknown>;

export type LoggerOptions = {
  level?: LogLevel;
  /** `json` or `text`; default: text on a TTY, JSON otherwise. */
  format?: 'json' | 'text';
  /** Where records go; default process.stdout. */
  write?: (line: string) => void;
};

export interface Logger {
  readonly level: LogLevel;
  enabled(level: LogLevel): boolean;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every record (e.g. `{ component: 'reaper' }`). */
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Errors do not survive JSON.stringify; keep their message and stack. */
function plain(value: unknown): unknown {
  return value instanceof Error ? { message: value.message, stack: value.stack } : value;
}

function jsonLine(level: LogLevel, msg: string, fields: LogFields): string {
  const record: LogFields = { time: new Date().toISOString(), level, msg };
  for (const [key, value] of Object.entries(fields)) record[key] = plain(value);
  return JSON.stringify(record);
}

function textLine(level: LogLevel, msg: string, fields: LogFields): string {
  const time = new Date().toISOString().slice(11, 23);
  const extra = Object.entries(fields)
    .map(([key, value]) => {
      const shown = plain(value);
      return `${key}=${typeof shown === 'string' && !/\s/.test(shown) ? shown : format('%j', shown)}`;
    })
    .join(' ');
  return `${time} ${level.toUpperCase().padEnd(5)} ${msg}${extra ? ` ${extra}` : ''}`;
}

export function createLogger(options: LoggerOptions = {}, bound: LogFields = {}): Logger {
  const level = options.level ?? 'info';
  const json = (options.format ?? (process.stdout.isTTY ? 'text' : 'json')) === 'json';
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const emit = (at: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[at] < RANK[level]) return;
    const all = fields ? { ...bound, ...fields } : bound;
    write(json ? jsonLine(at, msg, all) : textLine(at, msg, all));
  };
  return {
    level,
    enabled: (at) => RANK[at] >= RANK[level],
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (fields) => createLogger({ ...options, level, write }, { ...bound, ...fields }),
  };
}
