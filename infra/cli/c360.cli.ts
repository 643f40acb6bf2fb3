import { parseArgs } from 'node:util';
import { importCommand } from './import.command.ts';
import { modelCommand } from './model.command.ts';
import { qualityCommand } from './quality.command.ts';
import { resolveCommand } from './resolve.command.ts';
import { sourceCommand } from './source.command.ts';
import { tokenCommand } from './token.command.ts';

/** A subcommand: parses its own arguments, prints, and returns the exit code. */
export type Command = {
  readonly summary: string;
  readonly usage: string;
  readonly run: (args: readonly string[]) => Promise<number>;
};

const commands: Readonly<Record<string, Command>> = {
  token: tokenCommand,
  source: sourceCommand,
  quality: qualityCommand,
  import: importCommand,
  resolve: resolveCommand,
  model: modelCommand,
};

const help = (): string =>
  [
    'Usage: npx c360 <command> [options]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`),
    '',
    'npx c360 <command> --help shows a command’s options.',
  ].join('\n');

const main = async (argv: readonly string[]): Promise<number> => {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(help());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`Unknown command '${name}'.\n\n${help()}`);
    return 2;
  }
  if (
    parseArgs({ args: [...rest], options: { help: { type: 'boolean', short: 'h' } }, strict: false }).values
      .help
  ) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    console.error(`c360 ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
};

process.exitCode = await main(process.argv.slice(2));
