import { describe, expect, it } from 'vitest';
import { redactUrl, redactUrls, redactUrlsInError, UNREADABLE_URL } from '../../../lambdas/shared/redact-url';

describe('redact-url: redactUrl', () => {
  it.each([
    ['https://hooks.slack.com/services/T0/B0/SECRET', 'https://hooks.slack.com'],
    ['https://user:pass@hooks.slack.com/services/T0/B0/SECRET?x=1#y', 'https://hooks.slack.com'],
    ['hooks.slack.com/services/T0/B0/SECRET', 'hooks.slack.com'],
    ['user:pass@hooks.slack.com/services/T0/B0/SECRET', 'hooks.slack.com'],
    ['http://argocd-server:8080/api/v1/applications', 'http://argocd-server:8080'],
    ['  https://argocd.example.com/  ', 'https://argocd.example.com'],
    ['localhost:5000/v2/', 'localhost:5000'],
  ])('keeps only scheme and host of %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it.each([
    ['a bare word, which may be a token pasted in the wrong place', 'xoxb-SECRET-token'],
    ['text with spaces', 'not a url SECRET'],
    ['a bad port', 'https://hooks.slack.com:99999999/SECRET'],
    ['an empty string', ''],
  ])('never echoes %s', (_, input) => {
    expect(redactUrl(input)).toBe(UNREADABLE_URL);
  });
});

describe('redact-url: redactUrls', () => {
  it('redacts every URL in a message, with or without a scheme', () => {
    const message =
      'Failed to parse URL from hooks.slack.com/services/T0/B0/SECRET then https://user:pass@hooks.slack.com/services/T1/B1/SECRET2 and git+ssh://git:token@github.com/org/repo.git failed';
    expect(redactUrls(message)).toBe('Failed to parse URL from hooks.slack.com then https://hooks.slack.com and git+ssh://github.com failed');
  });

  it('takes punctuation right after a URL as part of it rather than risk leaving a piece of a path', () => {
    expect(redactUrls('see https://hooks.slack.com/services/T0/B0/SECRET).')).toBe('see https://hooks.slack.com');
  });

  it('leaves text without URLs, file names, versions and stack frames alone', () => {
    const text = 'at run (/var/task/index.js:12:3) at file:///work/x.js:1:2 version 1.4.3 in index.ts';
    expect(redactUrls(text)).toBe(text);
  });

  it('redacts the URL an error, its cause and its fields quote', () => {
    let parseError: unknown;
    try {
      new URL('hooks.slack.com/services/T0/B0/SECRET');
    } catch (error) {
      parseError = error;
    }
    if (!(parseError instanceof Error)) throw new Error('expected the URL parser to throw');
    const wrapped = new Error('Failed to parse URL from hooks.slack.com/services/T0/B0/SECRET', { cause: parseError });
    const redacted = redactUrlsInError(wrapped);
    const text = JSON.stringify({ message: redacted.message, stack: redacted.stack, cause: redacted.cause, fields: { ...(redacted.cause as Error) } });
    expect(text).not.toContain('SECRET');
    expect(text).not.toContain('/services/');
    expect(redacted.message).toBe('Failed to parse URL from hooks.slack.com');
    expect((redacted.cause as Error & { input?: string }).input).toBe('hooks.slack.com');
  });
});
