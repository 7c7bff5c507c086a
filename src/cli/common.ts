// What every command shares: loading the config, printing failures in one line with the right
// exit code (0 ok, 1 failed, 2 bad input or configuration), never a stack trace for a known error.
import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/load';
import type { Config } from '../config/resolve';
import { ConnectorError } from '../errors';
import { createLogger, redact, type Logger } from '../log';
import { createRuntime, type Runtime } from '../pipeline/runtime';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface GlobalOptions {
  config?: string;
}

/** The root program's options, whichever subcommand is running. */
export function globalOptions(cmd: Command): GlobalOptions {
  let root: Command = cmd;
  while (root.parent) root = root.parent;
  return root.opts<GlobalOptions>();
}

export function loadFromCli(cmd: Command): Config {
  const { config } = globalOptions(cmd);
  return loadConfig({ path: config ?? 'config.yml', explicitPath: config !== undefined });
}

export function loggerFor(config: Config): Logger {
  return createLogger({ level: config.connector.log_level, format: config.connector.log_format });
}

/** Prints an error the way users should see it and returns the exit code for it. */
export function reportError(err: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  if (err instanceof ConfigError) {
    stderr.write(`${redact(err.message)}\n`);
    return EXIT_USAGE;
  }
  if (err instanceof ConnectorError) {
    stderr.write(`error: ${redact(err.message)} [${err.code}]\n`);
    return err.code.startsWith('CONFIG') || err.code === 'REDIS_UNREACHABLE' ? EXIT_USAGE : EXIT_FAILED;
  }
  const message = err instanceof Error ? err.message : String(err);
  stderr.write(`error: ${redact(message)}\n`);
  if (process.env.DEBUG && err instanceof Error && err.stack) stderr.write(`${redact(err.stack)}\n`);
  return EXIT_FAILED;
}

/** Wraps a command action: any failure becomes a one-line message and an exit code. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await fn(...args);
      if (typeof code === 'number') process.exitCode = code;
    } catch (err) {
      process.exitCode = reportError(err);
    }
  };
}

/** Runs a short command against the pipeline's Redis state, closing everything afterwards. */
export async function withRuntime<T>(cmd: Command, fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const config = loadFromCli(cmd);
  const rt = await createRuntime(config, { logger: loggerFor(config) });
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}
