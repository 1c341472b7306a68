import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** The repository root: `npm start` runs there, and the banner names files relative to it. */
const ROOT = join(import.meta.dirname, '..', '..');

/** The environment of a test run without anything a developer's shell may set for the dev server. */
function cleanEnv(env: Record<string, string>): Record<string, string> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && !/^(HOIST_|PORT$)/.test(entry[0])),
  );
  return { ...base, POWERTOOLS_LOG_LEVEL: 'INFO', ...env };
}

/** `npm start` as a person runs it: `dev/server.ts` in its own Node process, through tsx. */
function spawnServer(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'dev/server.ts'], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs the dev server expecting it not to start; answers how it ended. If it does start, it is stopped at once. */
export function runFailingStart(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnServer(env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    if (stdout.includes('Hoist dev server on ')) child.kill('SIGTERM');
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface DevServerProcess {
  /** Where it listens, from its banner. */
  readonly url: string;
  /** Everything it printed so far. */
  stdout(): string;
  /** Resolves with the first line on stdout that `matches`, already printed or still to come. */
  lineMatching(matches: (line: string) => boolean): Promise<string>;
  stop(): Promise<void>;
}

/** Starts the dev server process and waits for its banner. */
export async function startDevServerProcess(env: Record<string, string>): Promise<DevServerProcess> {
  const child = spawnServer(env);
  let output = '';
  let stderr = '';
  const waiters: Array<{ matches: (line: string) => boolean; resolve: (line: string) => void }> = [];
  const settle = () => {
    const lines = output.split('\n').slice(0, -1);
    for (const waiter of [...waiters]) {
      const line = lines.find(waiter.matches);
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    settle();
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<never>((_, reject) => {
    child.on('close', (code) => reject(new Error(`dev server exited with ${code}: ${stderr}`)));
  });
  exited.catch(() => undefined);
  const lineMatching = (matches: (line: string) => boolean) =>
    Promise.race([new Promise<string>((resolve) => (waiters.push({ matches, resolve }), settle())), exited]);

  const banner = await lineMatching((line) => line.startsWith('Hoist dev server on '));
  await lineMatching((line) => line.includes('/events/ecr -H'));
  return {
    url: banner.slice('Hoist dev server on '.length).trim(),
    stdout: () => output,
    lineMatching,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('close', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
