// The `aegle` command, loaded by its JavaScript entry (../bin/aegle.js), which sets up the
// process first. All logic is in run-cli.ts so tests can run it in-process.
import { runCli } from './run-cli.ts';

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  isTTY: Boolean(process.stdout.isTTY && process.stdin.isTTY),
  // Installed only by long-running commands (node start), so Ctrl-C still kills the others.
  waitForStop: () =>
    new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    }),
});
