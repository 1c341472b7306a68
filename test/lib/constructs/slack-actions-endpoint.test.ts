import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { beforeAll, describe, expect, it } from 'vitest';
import { EventQueue } from '../../../lib/constructs/event-queue';
import { SlackActionsEndpoint } from '../../../lib/constructs/slack-actions-endpoint';
import { StateTable } from '../../../lib/constructs/state-table';
import { nagErrors, synthApp, WITH_SLACK_APP } from '../support';

describe('SlackActionsEndpoint props', () => {
  it('refuses a secret name Secrets Manager would refuse, one secret for both, and a bad limit, naming the prop', () => {
    const stack = new Stack();
    const base = {
      api: new apigwv2.HttpApi(stack, 'Api'),
      eventQueue: new EventQueue(stack, 'Events'),
      stateTable: new StateTable(stack, 'State'),
      signingSecretName: 'hoist/slack/signing-secret',
      botTokenSecretName: 'hoist/slack/bot-token',
      configFile: 'hoist.config.yaml',
    };
    expect(() => new SlackActionsEndpoint(stack, 'A', { ...base, signingSecretName: 'has space' })).toThrow(/^SlackActionsEndpointProps\.signingSecretName: /);
    expect(() => new SlackActionsEndpoint(stack, 'B', { ...base, botTokenSecretName: base.signingSecretName })).toThrow(
      /^SlackActionsEndpointProps\.botTokenSecretName: /,
    );
    expect(() => new SlackActionsEndpoint(stack, 'C', { ...base, deliveryTtlDays: 0 })).toThrow(/^SlackActionsEndpointProps\.deliveryTtlDays: /);
  });
});

describe('AutomationStack: POST /slack/actions', () => {
  let withApp: Template;
  let stack: Stack;
  beforeAll(() => {
    stack = synthApp(WITH_SLACK_APP).automation;
    withApp = Template.fromStack(stack);
  });

  it('adds the route to the webhook API, whose stage throttles every route, to a function of its own', () => {
    withApp.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /slack/actions',
      ApiId: { Ref: Match.stringLikeRegexp('^WebhooksApi') },
      Target: Match.anyValue(),
    });
    withApp.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: Match.stringLikeRegexp('^WebhooksApi') },
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
    withApp.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Hoist: verifies Slack approval clicks and queues the decisions of approvers',
      Timeout: 5,
      Environment: { Variables: Match.objectLike({ HOIST_MAX_BODY_BYTES: '1048576', HOIST_DELIVERY_TTL_SECONDS: String(7 * 24 * 3600) }) },
    });
    // Its environment names no secret: the function reads the names from the bundled config.
    const fn = Object.values(withApp.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Description.includes('Slack approval'));
    expect(JSON.stringify(fn?.Properties.Environment)).not.toMatch(/hoist\/slack/);
  });

  it('is not built without slack.app', () => {
    const without = Template.fromStack(synthApp().automation);
    const routes = Object.values(without.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey);
    expect(routes).not.toContain('POST /slack/actions');
    expect(routes.length).toBeGreaterThan(0);
  });

  it('passes cdk-nag, the route’s missing authorizer explained', () => {
    expect(nagErrors(stack)).toEqual([]);
  });
});
