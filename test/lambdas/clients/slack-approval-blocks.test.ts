import { describe, expect, it } from 'vitest';
import { approvalMessageBlocks } from '../../../lambdas/clients/slack-approval-blocks';
import { approvalActionValue, parseApprovalActionValue } from '../../../lambdas/core/intake/approval-action-value';
import { ValidationError } from '../../../lambdas/shared/errors';

const HEAD = '4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b';
const INPUT = {
  service: 'api',
  environment: 'prod',
  fromTag: '1.4.2',
  toTag: '1.4.3',
  pullRequest: { number: 42, url: 'https://github.com/acme/gitops/pull/42' },
  repository: 'gitops',
  head: HEAD,
};

describe('approval action value', () => {
  it('is compact JSON of repository, number and head, and reads back', () => {
    const value = approvalActionValue({ repository: 'gitops', number: 42, head: HEAD });
    expect(value).toBe(`{"repository":"gitops","number":42,"head":"${HEAD}"}`);
    expect(parseApprovalActionValue(value)).toEqual({ repository: 'gitops', number: 42, head: HEAD });
  });

  it('refuses what a button should not carry, naming the field', () => {
    expect(() => approvalActionValue({ repository: 'gitops', number: 0, head: HEAD })).toThrowError(/number/);
    expect(() => parseApprovalActionValue(`{"repository":"gitops","number":42,"head":"${HEAD}","extra":1}`)).toThrowError(ValidationError);
    expect(() => parseApprovalActionValue('{"repository":"Git Ops","number":42,"head":"abc1234"}')).toThrowError(/value: repository: a repository name/);
  });
});

describe('approvalMessageBlocks', () => {
  it('asks for an approval with Approve (primary) and Reject (danger) buttons carrying the action value', () => {
    const message = approvalMessageBlocks(INPUT);
    expect(message.text).toBe('Hoist asks to promote api 1.4.2 -> 1.4.3 to prod (#42)');
    expect(message.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: 'Approval needed: *api* to *prod*: `1.4.2` → `1.4.3`' } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: '<https://github.com/acme/gitops/pull/42|#42> in `gitops`, head `4f3c2b1a`' }] },
      {
        type: 'actions',
        block_id: 'hoist.approval',
        elements: [
          {
            type: 'button',
            action_id: 'hoist.approve',
            text: { type: 'plain_text', text: 'Approve', emoji: true },
            style: 'primary',
            value: expect.any(String),
          },
          { type: 'button', action_id: 'hoist.reject', text: { type: 'plain_text', text: 'Reject', emoji: true }, style: 'danger', value: expect.any(String) },
        ],
      },
    ]);
    const buttons = (message.blocks[2] as { elements: Array<{ value: string }> }).elements;
    for (const b of buttons) expect(parseApprovalActionValue(b.value)).toEqual({ repository: 'gitops', number: 42, head: HEAD });
  });

  it('escapes text from Git hosts and files, and keeps a URL from closing its link', () => {
    const message = approvalMessageBlocks({ ...INPUT, service: '<!channel>', fromTag: undefined, pullRequest: { number: 7, url: 'https://h.example/x|y>z' } });
    expect(JSON.stringify(message.blocks)).not.toContain('<!channel>');
    expect((message.blocks[0] as { text: { text: string } }).text.text).toBe('Approval needed: *&lt;!channel&gt;* to *prod*: `-` → `1.4.3`');
    expect((message.blocks[1] as { elements: Array<{ text: string }> }).elements[0]?.text).toMatch(/^<https:\/\/h\.example\/x%7Cy%3Ez\|#7>/);
  });
});
