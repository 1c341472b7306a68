import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { ArgoCdClient } from '../../../lambdas/clients/argocd-client';
import { SlackWebhookNotifier } from '../../../lambdas/clients/slack-notifier';
import type { PromotionNotice } from '../../../lambdas/core/promotion/promotion-notice';
import { logger } from '../../../lambdas/shared/logger';
import { type FakeArgoCd, startFakeArgoCd } from '../../support/fake-argocd';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack';

const message: PromotionNotice = { kind: 'held', held: [] };

/** What the process wrote to stdout and stderr while `run` ran. */
function captureOutput(): { text: () => string; spies: MockInstance[] } {
  const chunks: string[] = [];
  const record = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(record), vi.spyOn(process.stderr, 'write').mockImplementation(record)];
  return { text: () => chunks.join(''), spies };
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error('expected an Error');
  }
  throw new Error('expected a failure');
}

describe('clients: URLs with credentials stay out of errors and logs', () => {
  let output: ReturnType<typeof captureOutput>;
  let slack: FakeSlack | undefined;
  let argocd: FakeArgoCd | undefined;
  let level: ReturnType<typeof logger.getLevelName>;
  beforeEach(() => {
    output = captureOutput();
    // The test run silences the logger; these tests read what it writes.
    level = logger.getLevelName();
    logger.setLogLevel('INFO');
  });
  afterEach(async () => {
    logger.setLogLevel(level);
    for (const spy of output.spies) spy.mockRestore();
    await slack?.close();
    await argocd?.close();
  });

  /** The error as thrown, then logged the ways Hoist logs errors. */
  function loggedText(error: Error): string {
    logger.warn('Slack notification failed', { error: String(error) });
    logger.error('request failed', { error });
    return `${error.message}\n${output.text()}`;
  }

  it('a Slack webhook URL without a scheme', async () => {
    const error = await failureOf(new SlackWebhookNotifier('hooks.slack.com/services/T0/B0/SECRET').notify(message));
    const text = loggedText(error);
    expect(text).not.toContain('SECRET');
    expect(text).not.toContain('/services/');
    expect(text).toContain('hooks.slack.com');
    expect(error.message).toBe('Slack webhook URL for hooks.slack.com is not an absolute https:// URL');
  });

  it('a Slack webhook URL with a user and password', async () => {
    slack = await startFakeSlack();
    const withUser = slack.url.replace('://', '://hoist-bot:s3cr3t-pw@');
    const error = await failureOf(new SlackWebhookNotifier(withUser).notify(message));
    const text = loggedText(error);
    const host = new URL(slack.url).host;
    for (const secret of ['hoist-bot', 's3cr3t-pw', new URL(slack.url).pathname]) expect(text).not.toContain(secret);
    expect(text).toContain(host);
    expect(error.message).toContain(`http://${host}`);
    expect(slack.messages).toHaveLength(0);
  });

  it('a Slack webhook that cannot be reached', async () => {
    const error = await failureOf(new SlackWebhookNotifier('http://127.0.0.1:9/services/T0/B0/SECRET').notify(message));
    const text = loggedText(error);
    expect(text).not.toContain('SECRET');
    expect(text).toContain('127.0.0.1:9');
    expect(error.message).toMatch(/^Slack webhook at http:\/\/127\.0\.0\.1:9 could not be reached: /);
  });

  it('an Argo CD URL with a user and password', async () => {
    argocd = await startFakeArgoCd([{ name: 'api', repoURL: 'https://git.example.com/gitops.git', path: 'apps/api' }]);
    const withUser = argocd.url.replace('://', '://argo-admin:hunter2@');
    const client = new ArgoCdClient({ url: withUser, token: argocd.token });
    const error = await failureOf(client.refresh('api'));
    const text = loggedText(error);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('argo-admin');
    expect(error.message).toContain(new URL(argocd.url).host);
    expect(argocd.refreshes).toHaveLength(0);
  });

  it('an Argo CD URL without a scheme', async () => {
    const client = new ArgoCdClient({ url: 'argocd.example.com/SECRET-PATH', token: 'token' });
    const error = await failureOf(client.refresh('api'));
    const text = loggedText(error);
    expect(text).not.toContain('SECRET-PATH');
    expect(error.message).toBe('Argo CD URL argocd.example.com is not an absolute http(s) URL');
  });

  it('a raw parser error logged as it is', () => {
    let parseError: unknown;
    try {
      new URL('hooks.slack.com/services/T0/B0/SECRET');
    } catch (error) {
      parseError = error;
    }
    logger.error('request failed', { error: parseError });
    expect(output.text()).toContain('hooks.slack.com');
    expect(output.text()).not.toContain('SECRET');
  });
});
