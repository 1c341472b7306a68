import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDevSettings } from '../../dev/dev-settings';
import { type LocalDevServer, startLocalDevServer } from '../../dev/dev-wiring';
import { AUDIT_FILE } from '../../lambdas/clients/local/file-audit-log';
import type { AuditRecord } from '../../lambdas/core/ports';
import { digestOf, ecrPushEvent } from '../support/ecr-pushes';
import { git, PersonClone } from '../support/git-repo';

const DEV_VALUES = 'apps/api/dev/values.yaml';

/** The example push of team/api 1.4.3 (digest EXAMPLE_DIGEST), and the same tag pushed again as other images. */
const EXAMPLE_DIGEST = ecrPushEvent('example').detail['image-digest'] as string;
const REPUSHED_DIGEST = digestOf('team/api 1.4.3 pushed again');
const REPUSHED_ONCE_MORE_DIGEST = digestOf('team/api 1.4.3 pushed once more');
const API_1_4_3 = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:1.4.3';

async function postEcr(server: LocalDevServer, id: string, digest = EXAMPLE_DIGEST): Promise<{ status: number; body: unknown }> {
  const push = JSON.stringify(ecrPushEvent(id, { digest }));
  const res = await fetch(`${server.url}/events/ecr`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: push });
  const body = (await res.json()) as unknown;
  await server.queue.drain();
  expect(server.queue.deadLetters).toEqual([]);
  return { status: res.status, body };
}

describe('dev server: restarts', () => {
  it('keeps delivery ids, revert holds and the audit trail in the work directory', async () => {
    const workDir = join(mkdtempSync(join(tmpdir(), 'hoist-restart-')), '.hoist');
    const start = () => startLocalDevServer(readDevSettings({ HOIST_WORK_DIR: workDir, PORT: '0' }), {});
    const mainTag = (bareRepo: string) =>
      /tag: (\S+)/.exec(execFileSync('git', ['--git-dir', bareRepo, 'show', `main:${DEV_VALUES}`], { encoding: 'utf8' }))?.[1];

    const first = await start();
    const bareRepo = first.embedded?.bareRepo as string;
    expect(await postEcr(first, 'push-1')).toMatchObject({ status: 202 });
    expect(mainTag(bareRepo)).toBe('1.4.3');
    await first.close();

    // A person sets dev back to 1.4.2 while the server is down.
    const personDir = join(mkdtempSync(join(tmpdir(), 'hoist-person-')), 'gitops');
    git(tmpdir(), 'clone', '--quiet', bareRepo, personDir);
    const person = new PersonClone(personDir);
    person.change(DEV_VALUES, readFileSync(join(personDir, DEV_VALUES), 'utf8').replace('tag: 1.4.3', 'tag: 1.4.2'), 'revert api to 1.4.2');

    const second = await start();
    // The same ECR event again, and the same image under a new event id: duplicates, not a second bump.
    const duplicate = { status: 'duplicate', delivery: `${API_1_4_3}@${EXAMPLE_DIGEST}` };
    expect(await postEcr(second, 'push-1')).toEqual({ status: 200, body: { ...duplicate, id: 'push-1' } });
    expect(await postEcr(second, 'push-1-redelivered')).toEqual({ status: 200, body: { ...duplicate, id: 'push-1-redelivered' } });
    // The same tag pushed again as another image: queued, and the revert is held.
    expect(await postEcr(second, 'push-1-again', REPUSHED_DIGEST)).toMatchObject({ status: 202 });
    expect(mainTag(bareRepo)).toBe('1.4.2');
    await second.close();

    const third = await start();
    expect(await postEcr(third, 'push-1-once-more', REPUSHED_ONCE_MORE_DIGEST)).toMatchObject({ status: 202 });
    expect(mainTag(bareRepo)).toBe('1.4.2');
    await third.close();
    expect(person.log()).toEqual(['revert api to 1.4.2', 'chore(dev): bump api 1.4.2 -> 1.4.3', 'example app']);

    // Every run appended to the same audit trail.
    const audit = readFileSync(join(first.stateDir, AUDIT_FILE), 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditRecord);
    expect(audit.map((record) => [record.outcome, record.branch ?? '', record.events.join(',')])).toEqual([
      ['promoted', 'main', `ecr:${API_1_4_3}@${EXAMPLE_DIGEST}#0@gitops:main`],
      ['promoted', 'hoist/prod/api', `ecr:${API_1_4_3}@${EXAMPLE_DIGEST}#0@gitops:hoist/prod/api`],
      ['noop', '', `ecr:${API_1_4_3}@${REPUSHED_DIGEST}#0@gitops:main`],
      ['noop', '', `ecr:${API_1_4_3}@${REPUSHED_DIGEST}#0@gitops:hoist/prod/api`],
      ['noop', '', `ecr:${API_1_4_3}@${REPUSHED_ONCE_MORE_DIGEST}#0@gitops:main`],
      ['noop', '', `ecr:${API_1_4_3}@${REPUSHED_ONCE_MORE_DIGEST}#0@gitops:hoist/prod/api`],
    ]);
    expect(audit[2]?.reasons?.join(' ')).toMatch(/held|revert/i);
  });
});
