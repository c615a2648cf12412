import { Command } from 'commander';

/** Runs the CLI with the given arguments and resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('redfish-enlist')
    .description('Enlist machines into MAAS as Deployed from their BMCs, over Redfish.')
    .exitOverride();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    return typeof code === 'number' ? code : 1;
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
