/**
 * Command line for unattended and set-up work (`npm run crm -- <command>`, or the packaged app
 * with arguments). Each command returns a process exit code and logs one summary line.
 */
import { isAppError } from '../../shared/errors';
import { describeStartupError } from '../app/startup-error';
import { defaultDbPath } from '../paths';
import { cliLang, say } from './i18n';

/** The list of commands, in the language of main/cli/i18n.ts (shared/i18n/domains/cli.json). */
const usage = (args: readonly string[]) => say(cliLang(args), 'cli.usage');

export async function runCli(args: string[]): Promise<number> {
  try {
    return await runCommand(args);
  } catch (err) {
    // A store that cannot be opened (damaged, quarantined, its key missing or wrong, in use): the same
    // two-language text as the app's start-up dialog, naming the file; no stack trace (exit 2).
    if (isAppError(err) && err.code.startsWith('STORE_')) {
      const text = describeStartupError(err, defaultDbPath());
      process.stderr.write(`${text.title}\n\n${text.message}\n`);
      return 2;
    }
    throw err;
  }
}

async function runCommand(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case 'demo': {
      const { runDemoCommand } = await import('./demo');
      return runDemoCommand(rest);
    }
    case 'import': {
      const { runImportCommand } = await import('./import');
      return runImportCommand(rest);
    }
    case 'check': {
      const { runCheckCommand } = await import('./check');
      return runCheckCommand(rest);
    }
    case 'audit': {
      const { runAuditCommand } = await import('./audit');
      return runAuditCommand(rest);
    }
    case 'summaries': {
      const { runSummariesCommand } = await import('./summaries');
      return runSummariesCommand(rest);
    }
    case 'join': {
      const { runJoinCommand } = await import('./branch');
      return runJoinCommand(rest);
    }
    case 'branch-demo': {
      const { runBranchDemoCommand } = await import('./branch');
      const code = await runBranchDemoCommand(rest);
      // -1: the hub and the two hosts keep running until Ctrl+C.
      if (code === -1) return new Promise<number>(() => {});
      return code;
    }
    case 'model': {
      const { runModelCommand } = await import('./model');
      return runModelCommand(rest);
    }
    case 'extracts': {
      const { runExtractsCommand } = await import('./extracts');
      return runExtractsCommand(rest);
    }
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(usage(rest));
      return command === undefined ? 64 : 0;
    default:
      process.stderr.write(`${say(cliLang(rest), 'cli.unknownCommand', { command })}\n${usage(rest)}`);
      return 64;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
