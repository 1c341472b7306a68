import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * The `hoist` CLI: `npm run hoist -- <command>` (or `npx tsx bin/hoist.ts <command>`).
 * The CDK app is bin/cdk-app.ts.
 */

// Powertools logs to stdout, which is the command's output (and its JSON): silent unless asked for.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// The git provider keeps a fetch cache under the OS temp dir: give it one that goes away with this run.
const scratch = mkdtempSync(join(tmpdir(), 'hoist-cli-'));
process.env.TMPDIR = scratch;
try {
  // Imported after the variables above are set: the logger reads its level when it is created.
  const { runHoistCli } = await import('../cli/run-hoist-cli');
  // `npm run hoist` runs in the package's folder; relative paths (--out, --config) mean the folder it was typed in.
  const cwd = process.env.npm_lifecycle_event === 'hoist' && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();
  process.exitCode = await runHoistCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
