#!/usr/bin/env node
// The `taxii-connector` command line: one subcommand per role or tool, all sharing --config.
import { Command } from 'commander';
import { registerConfigCommand } from './cli/config-command';
import { registerCursor } from './cli/cursor';
import { registerDiscover } from './cli/discover';
import { registerDlq } from './cli/dlq';
import { registerOps } from './cli/ops';
import { registerService } from './cli/service';
import { registerValidate } from './cli/validate';

export function buildProgram(): Command {
  const program = new Command('taxii-connector')
    .description('Keeps STIX platforms fed from TAXII 2.1 feeds')
    .option('-c, --config <path>', 'YAML configuration file (default: config.yml when present)')
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });
  program.exitOverride((err) => {
    // Usage errors exit 2, help and version 0.
    process.exit(err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? 0 : 2);
  });
  registerService(program);
  registerOps(program);
  registerDlq(program);
  registerCursor(program);
  registerConfigCommand(program);
  registerDiscover(program);
  registerValidate(program);
  return program;
}

/** Runs the command line on this process's arguments. */
export function runCli(): void {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    });
}

if (require.main === module) runCli();
