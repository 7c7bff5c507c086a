// `taxii-connector config check`: validates the configuration and prints it resolved, secrets hidden.
import type { Command } from 'commander';
import { redactValue } from '../log';
import { action, loadFromCli } from './common';

export function registerConfigCommand(program: Command): void {
  program
    .command('config')
    .description('check the configuration and print it resolved (secrets hidden)')
    .argument('[what]', '"check" (the only action)', 'check')
    .action(
      action(async (_what: string, _opts: unknown, cmd: Command) => {
        const config = loadFromCli(cmd);
        process.stdout.write(`${JSON.stringify(redactValue(config), null, 2)}\n`);
        return 0;
      }),
    );
}
