import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startDevServer } from '../dev/dev-server';
import { createLocalPromoter } from '../dev/dev-wiring';
import { ensureEmbeddedGitops } from '../dev/embedded-gitops';
import { quantile } from './stats';

/** The files one ECR push of the example image changes, per branch. */
const DEV_FILE = 'apps/api/dev/values.yaml';
const PROD_FILE = 'apps/api/prod/values.yaml';

/** What one bench row needs: its figure and the floor measured beside it. */
export interface FloorRow {
  readonly name: string;
  readonly value: number;
  readonly floor: number;
  readonly unit: string;
  /** How the value compares with the floor: `value / floor` unless the figure is a rate. */
  readonly ratio: number;
  readonly note?: string;
}

/**
 * Wall time from the HTTP POST of an ECR event to the two pushed commits on
 * the embedded repository (the dev environment on `main`, the prod
 * environment on its promotion branch), beside the floor for the same two
 * commits: four git processes (one fetch of both branches, one `cat-file
 * --batch`, one `fast-import` for both commits, one push of both refs),
 * measured in alternation with the same runs.
 */
export async function benchEventToCommit(runs = 40): Promise<FloorRow[]> {
  const embedded = ensureEmbeddedGitops(mkdtempSync(join(tmpdir(), 'hoist-bench-e2e-')));
  const promoter = createLocalPromoter({ configPath: embedded.configPath, env: {} });
  const server = await startDevServer({ port: 0, env: {}, consume: promoter.consume, workOf: promoter.workOf });
  const template = JSON.parse(readFileSync('dev/examples/ecr-push.json', 'utf8')) as { id: string; detail: Record<string, string> };
  const post = async (i: number): Promise<number> => {
    const tag = `1.5.${i}`;
    const event = { ...template, id: `bench-${i}`, detail: { ...template.detail, 'image-tag': tag } };
    const start = performance.now();
    const res = await fetch(`${server.url}/events/ecr`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
    if (res.status !== 202) throw new Error(`status ${res.status}`);
    await server.queue.drain();
    const ms = performance.now() - start;
    const values = execFileSync('git', ['--git-dir', embedded.bareRepo, 'show', `main:${DEV_FILE}`], { encoding: 'utf8' });
    if (!values.includes(`tag: ${tag}`)) throw new Error(`commit for ${tag} not found`);
    return ms;
  };
  // The first event creates the promotion branch; the runs measured move both branches, as the floor does.
  await post(0);
  const branches = execFileSync('git', ['--git-dir', embedded.bareRepo, 'for-each-ref', '--format=%(refname:strip=2)', 'refs/heads'], { encoding: 'utf8' })
    .split('\n')
    .filter((b) => b !== '' && b !== 'main');
  const prodBranch = branches[0];
  if (branches.length !== 1 || prodBranch === undefined) throw new Error(`expected one promotion branch, found ${branches.join(', ')}`);
  const floor = await commitFloor(prodBranch);
  const samples: number[] = [];
  const floors: number[] = [];
  for (let i = 1; i <= runs; i += 1) {
    samples.push(await post(i));
    floors.push(await floor.run(`1.5.${i}`));
  }
  await server.close();
  const p50 = quantile(samples, 0.5);
  const floorP50 = quantile(floors, 0.5);
  return [
    {
      name: 'end to end: ECR event → two pushed commits (embedded repo), p50',
      value: p50,
      floor: floorP50,
      unit: 'ms',
      ratio: p50 / floorP50,
      note: `p99 ${quantile(samples, 0.99).toFixed(0)} ms; floor: fetch + cat-file --batch + fast-import + one push`,
    },
  ];
}

/**
 * The least git work for the bench's two commits, in four processes, against
 * a copy of the embedded repository with the same two branches.
 */
async function commitFloor(prodBranch: string): Promise<{ run: (tag: string) => Promise<number> }> {
  const root = mkdtempSync(join(tmpdir(), 'hoist-bench-floor-'));
  const { bareRepo } = ensureEmbeddedGitops(root);
  const cache = join(root, 'cache.git');
  const env = {
    ...process.env,
    GIT_DIR: cache,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_COUNT: '2',
    GIT_CONFIG_KEY_0: 'gc.auto',
    GIT_CONFIG_VALUE_0: '0',
    GIT_CONFIG_KEY_1: 'maintenance.auto',
    GIT_CONFIG_VALUE_1: 'false',
    GIT_AUTHOR_NAME: 'Hoist',
    GIT_AUTHOR_EMAIL: 'hoist@localhost',
    GIT_COMMITTER_NAME: 'Hoist',
    GIT_COMMITTER_EMAIL: 'hoist@localhost',
  };
  execFileSync('git', ['init', '--quiet', '--bare', '--template='], { env });
  const main = execFileSync('git', ['--git-dir', bareRepo, 'rev-parse', 'main'], { encoding: 'utf8' }).trim();
  execFileSync('git', ['--git-dir', bareRepo, 'branch', prodBranch, main]);
  const git = (args: string[], input: string | Buffer = ''): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const child = spawn('git', args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`git ${args[0]}: ${Buffer.concat(err).toString()}`))));
      child.stdin.end(input);
    });
  const run = async (tag: string): Promise<number> => {
    const start = performance.now();
    const tracking = (b: string) => `refs/remotes/origin/${b}`;
    await git([
      'fetch',
      '--quiet',
      '--depth=1',
      '--no-tags',
      bareRepo,
      `+refs/heads/main:${tracking('main')}`,
      `+refs/heads/${prodBranch}:${tracking(prodBranch)}`,
    ]);
    const batch = await git(
      ['cat-file', '--batch'],
      [`${tracking('main')}^{commit}`, `${tracking(prodBranch)}^{commit}`, `${tracking('main')}:${DEV_FILE}`, `${tracking(prodBranch)}:${PROD_FILE}`, ''].join(
        '\n',
      ),
    );
    const objects = parseBatch(batch);
    const [mainHead, prodHead, devText, prodText] = objects;
    if (mainHead === undefined || prodHead === undefined || devText === undefined || prodText === undefined) throw new Error('cat-file answered too little');
    const bump = (text: Buffer) => Buffer.from(text.toString('utf8').replace(/tag: \S+/, `tag: ${tag}`));
    const commit = (mark: number, ref: string, parent: string, path: string, content: Buffer) => [
      Buffer.from(
        `commit ${ref}\nmark :${mark}\ncommitter Hoist <hoist@localhost> now\ndata 4\nbump\nfrom ${parent}\nM 100644 inline ${path}\ndata ${content.length}\n`,
      ),
      content,
      Buffer.from('\n'),
    ];
    const script = Buffer.concat([
      ...commit(1, 'refs/hoist/floor-main', mainHead.id, DEV_FILE, bump(devText.content)),
      ...commit(2, 'refs/hoist/floor-prod', prodHead.id, PROD_FILE, bump(prodText.content)),
      Buffer.from('get-mark :1\nget-mark :2\ndone\n'),
    ]);
    const marks = (await git(['fast-import', '--quiet', '--force', '--date-format=now', '--done'], script)).toString().trim().split('\n');
    const [devCommit, prodCommit] = marks;
    await git([
      'push',
      '--quiet',
      '--porcelain',
      `--force-with-lease=refs/heads/main:${mainHead.id}`,
      `--force-with-lease=refs/heads/${prodBranch}:${prodHead.id}`,
      bareRepo,
      `${devCommit}:refs/heads/main`,
      `${prodCommit}:refs/heads/${prodBranch}`,
    ]);
    return performance.now() - start;
  };
  return { run };
}

/** The objects of a `cat-file --batch` answer, in order. */
function parseBatch(out: Buffer): Array<{ id: string; content: Buffer }> {
  const objects: Array<{ id: string; content: Buffer }> = [];
  let at = 0;
  while (at < out.length) {
    const eol = out.indexOf(10, at);
    const [id = '', , size = ''] = out.subarray(at, eol).toString().split(' ');
    const end = eol + 1 + Number(size);
    objects.push({ id, content: out.subarray(eol + 1, end) });
    at = end + 1;
  }
  return objects;
}
