import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionGrants, roleGrants, roleIdOf, secretsOf } from '../function-grants';
import { nagErrors, synthApp, WITH_SECRETS, WITH_SLACK_APP } from '../support';

/*
 * The exact IAM grants of every function role in the automation stack, from
 * the repository's hoist.config.yaml (account 123456789012, eu-west-1). Each
 * action is one the function's code (or Lambda on its behalf) calls, listed
 * next to the grant in lib/constructs; a missing action fails a real
 * deployment with AccessDenied, an extra one widens what a compromised
 * function could do. Logical ids are those of the deployed resources.
 */

const WEBHOOK = 'Hoist: verifies, de-duplicates and queues Git host webhooks';
const ECR_EVENT = 'Hoist: de-duplicates and queues ECR image pushes';
const PROMOTER = 'Hoist: plans and applies promotions from queued events';
const RECONCILE = 'Hoist: lists the newest ECR images and queues pushes their events missed';
const PROMOTIONS = 'Hoist: verifies and queues promotions requested by CI, and answers their outcome';
const SECRET_EVENT = 'Hoist: queues Secrets Manager changes recorded by CloudTrail';
const SECRETS_SYNC = 'Hoist: syncs Secrets Manager secrets into Vault and their manifests into Git';
const SECRETS_RECONCILE = 'Hoist: lists the synced secrets and queues each one so the sync repairs drift';
const SLACK_ACTIONS = 'Hoist: verifies Slack approval clicks and queues the decisions of approvers';
const GATES = 'Hoist: checks the gates of chain environments against Argo CD and queues the promotions they let through';

const TABLE = 'StateTable962DE04C';
const EVENT_QUEUE = 'EventsQueue7396B467';
const EVENT_DEAD_LETTERS = 'EventsDeadLetters8A90034E';
const GATE_QUEUE = 'GatesQueue0DC50F34';
const GATE_DEAD_LETTERS = 'GatesDeadLetters49959B27';
/** Logs to its own log group; X-Ray accepts no resource-level permissions. */
const logsAndTraces = (logGroup: string) => ({
  'logs:CreateLogStream': [logGroup],
  'logs:PutLogEvents': [logGroup],
  'xray:PutTelemetryRecords': ['*'],
  'xray:PutTraceSegments': ['*'],
});
/** DynamoDbDeliveryLedger: conditional put (claim), consistent get, update (done), conditional delete (release). */
const deliveryLedger = {
  'dynamodb:DeleteItem': [TABLE],
  'dynamodb:GetItem': [TABLE],
  'dynamodb:PutItem': [TABLE],
  'dynamodb:UpdateItem': [TABLE],
};
const secretArn = (name: string) => `arn:\${AWS::Partition}:secretsmanager:eu-west-1:123456789012:secret:${name}-??????`;
const repositoryArn = (name: string) => `arn:\${AWS::Partition}:ecr:eu-west-1:123456789012:repository/${name}`;

/** The logical id of the role of the one EventBridge Scheduler schedule whose target's logical id starts with `target`. */
function scheduleRole(template: Template, target = 'EcrReconcileHandlerFunction'): string {
  const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')).filter((schedule) =>
    String(schedule.Properties.Target.Arn['Fn::GetAtt']?.[0]).startsWith(target),
  );
  if (schedules.length !== 1) throw new Error(`expected one schedule of ${target}, found ${schedules.length}`);
  const role = roleIdOf(schedules[0]?.Properties.Target.RoleArn);
  if (role === undefined) throw new Error('the schedule names no role of this template');
  return role;
}

describe('AutomationStack: function grants', () => {
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(synthApp().automation);
  });

  it('has no Lambda function other than the six whose grants are asserted below', () => {
    // Guards against a new function (a custom resource, log retention) whose role nobody checks.
    const descriptions = Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => fn.Properties.Description);
    expect(descriptions.sort()).toEqual([ECR_EVENT, GATES, PROMOTER, PROMOTIONS, RECONCILE, WEBHOOK].sort());
  });

  it('lets the webhook function claim deliveries, queue events and read only the webhook secrets', () => {
    const grants = functionGrants(template, WEBHOOK);
    // Guards the action list: the ledger's four item calls, SendMessageBatch (sqs:SendMessage), GetSecretValue.
    expect(grants.actions).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
      'sqs:SendMessage',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    // Guards the secrets: the generated webhook secret of each host, no promoter token, not the promotion client secret.
    expect(secretsOf(grants)).toEqual(['WebhooksgiteaWebhookSecretF3E30E9A', 'WebhooksgithubWebhookSecretA85CAA09', 'WebhooksgitlabWebhookSecret76F47C79']);
    // Guards every resource: the one table, the event queue (not its dead-letter queue), its own log group.
    expect(grants.resources).toEqual({
      ...deliveryLedger,
      ...logsAndTraces('WebhooksHandlerLogs4B6F7948'),
      'secretsmanager:GetSecretValue': ['WebhooksgiteaWebhookSecretF3E30E9A', 'WebhooksgithubWebhookSecretA85CAA09', 'WebhooksgitlabWebhookSecret76F47C79'],
      'sqs:SendMessage': [EVENT_QUEUE],
    });
  });

  it('lets the promotions function claim request ids, keep outcomes, queue events and read only its client secret', () => {
    const grants = functionGrants(template, PROMOTIONS);
    // Guards the action list: the ledger's four item calls (outcomes need GetItem and PutItem, among them),
    // SendMessageBatch (sqs:SendMessage), GetSecretValue.
    expect(grants.actions).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
      'sqs:SendMessage',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    // Guards the secrets: the generated promotion client secret alone, no webhook secret, no promoter token.
    expect(secretsOf(grants)).toEqual(['PromotionsClientSecretFBF0AA2C']);
    // Guards every resource: the one table, the event queue (not its dead-letter queue), its own log group.
    expect(grants.resources).toEqual({
      ...deliveryLedger,
      ...logsAndTraces('PromotionsHandlerLogsB403489A'),
      'secretsmanager:GetSecretValue': ['PromotionsClientSecretFBF0AA2C'],
      'sqs:SendMessage': [EVENT_QUEUE],
    });
  });

  it('lets the ECR-event function claim deliveries and queue events, reading no secret', () => {
    const grants = functionGrants(template, ECR_EVENT);
    // Guards the action list: the ledger's four item calls and sqs:SendMessage (events, and failed invocations to its DLQ).
    expect(grants.actions).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sqs:SendMessage',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    // Guards the secrets: an ECR event carries no signature, so no secret at all.
    expect(secretsOf(grants)).toEqual([]);
    // Guards every resource: the event queue and the on-failure destination, nothing else.
    expect(grants.resources).toEqual({
      ...deliveryLedger,
      ...logsAndTraces('EcrPushesHandlerLogs079C31C1'),
      'sqs:SendMessage': ['EcrPushesDeadLettersB0933CC0', EVENT_QUEUE],
    });
  });

  it('lets the reconcile function describe the watched repositories, claim deliveries and queue events, reading no secret', () => {
    const grants = functionGrants(template, RECONCILE);
    // Guards the action list: DescribeImages (the listing), the ledger's four item calls, SendMessageBatch (sqs:SendMessage).
    expect(grants.actions).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'ecr:DescribeImages',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sqs:SendMessage',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    expect(secretsOf(grants)).toEqual([]);
    // Guards every resource: the repositories the push rule watches, the one table, the event queue (no dead-letter queue).
    expect(grants.resources).toEqual({
      ...deliveryLedger,
      'ecr:DescribeImages': ['team/api', 'team/worker'].map(repositoryArn),
      ...logsAndTraces('EcrReconcileHandlerLogs88013ABB'),
      'sqs:SendMessage': [EVENT_QUEUE],
    });
  });

  it('lets the schedule invoke the reconcile function and nothing else', () => {
    const role = scheduleRole(template);
    // Guards the role: the schedule's own, assumed by EventBridge Scheduler of this account only.
    expect(role).toMatch(/^EcrReconcileScheduleRole/);
    template.hasResourceProperties('AWS::IAM::Role', {
      Description: 'Lets EventBridge Scheduler invoke the Hoist reconcile function',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
          },
        ],
      },
    });
    // Guards every action and resource: InvokeFunction on the reconcile function (and its qualified ARNs, which LambdaInvoke adds).
    const fn = 'EcrReconcileHandlerFunction7102E3B8';
    expect(roleGrants(template, role)).toEqual({ role, actions: ['lambda:InvokeFunction'], resources: { 'lambda:InvokeFunction': [fn, `${fn}:*`] } });
  });

  it('lets the promoter consume the queue, keep target states and audit, read the configured secrets, describe watched images and open gates', () => {
    const grants = functionGrants(template, PROMOTER);
    // Guards the action list: BatchGetItem (target states) and PutItem (states, audit), the event source
    // mapping's receive/delete/attributes, GetSecretValue, DescribeImages (push times), SendMessage (dead letters, gates).
    expect(grants.actions).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'ecr:DescribeImages',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    // Guards the secrets: exactly those hoist.config.yaml names (automation.secrets less vaultToken, the
    // repository credentials, argocd and slack, a target's own Slack webhook); never a webhook secret.
    const secrets = ['hoist/argocd/token', 'hoist/git/github-token', 'hoist/slack/prod-releases', 'hoist/slack/webhook-url'].map(secretArn);
    expect(secretsOf(grants)).toEqual(secrets);
    // Guards every resource: the table, the event queue, the ECR repositories the push rule watches.
    expect(grants.resources).toEqual({
      'dynamodb:BatchGetItem': [TABLE],
      // Reads a CI request's outcome back before merging this batch into it.
      'dynamodb:GetItem': [TABLE],
      'dynamodb:PutItem': [TABLE],
      'ecr:DescribeImages': ['team/api', 'team/worker'].map(repositoryArn),
      ...logsAndTraces('PromoterHandlerLogs6A82F058'),
      'secretsmanager:GetSecretValue': secrets,
      // A group that waits for a tag to reach its registry comes back after registry.retrySeconds.
      'sqs:ChangeMessageVisibility': [EVENT_QUEUE],
      'sqs:DeleteMessage': [EVENT_QUEUE],
      'sqs:GetQueueAttributes': [EVENT_QUEUE],
      'sqs:ReceiveMessage': [EVENT_QUEUE],
      // Terminal failures go straight to the event queue's dead-letter queue, with their reason;
      // a commit that lands opens the gates of the environments that follow (SqsGateScheduler).
      'sqs:SendMessage': [EVENT_DEAD_LETTERS, GATE_QUEUE],
    });
  });

  it('lets the gates function consume and re-schedule its checks, queue passed gates, write audit records and target states, and read only the Argo CD token, the Git token and Slack webhooks', () => {
    const grants = functionGrants(template, GATES);
    // Guards the action list: the event source mapping's receive/delete/attributes, SendMessage (SendMessageBatch
    // too), BatchGetItem and PutItem (audit, and the gate shown on its target's state), GetSecretValue. No ChangeMessageVisibility.
    expect(grants.actions).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:PutItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    // Guards the secrets: the Argo CD token, the Slack webhooks a failed gate is told on, and the Git token:
    // a gate reads the followed environment's file at the revision Argo CD runs.
    const secrets = ['hoist/argocd/token', 'hoist/git/github-token', 'hoist/slack/prod-releases', 'hoist/slack/webhook-url'].map(secretArn);
    expect(secretsOf(grants)).toEqual(secrets);
    // Guards every resource: the table, its own queue and dead-letter queue, the event queue (not its dead-letter queue).
    expect(grants.resources).toEqual({
      // DynamoDbAuditLog: one PutItem per passed or failed gate; DynamoDbTargetStateStore: the waiting gate on its target.
      'dynamodb:BatchGetItem': [TABLE],
      'dynamodb:PutItem': [TABLE],
      ...logsAndTraces('GatesHandlerLogs34E14B34'),
      'secretsmanager:GetSecretValue': secrets,
      'sqs:DeleteMessage': [GATE_QUEUE],
      'sqs:GetQueueAttributes': [GATE_QUEUE],
      'sqs:ReceiveMessage': [GATE_QUEUE],
      // A passed gate to the event queue, a waiting check back to the gates queue, a malformed or
      // last-attempt check to the gates dead-letter queue with its reason.
      'sqs:SendMessage': [EVENT_QUEUE, GATE_DEAD_LETTERS, GATE_QUEUE],
    });
  });
});

describe('AutomationStack alone: function grants', () => {
  let template: Template;
  beforeAll(() => {
    // Platform off: the ECR list is automation.ecrRepositories alone (with a repeat), and no secret is named.
    template = Template.fromStack(synthApp('platform: { enabled: false }\nautomation: { ecrRepositories: [team/api, legacy/app, team/api] }\n').automation);
  });

  it('lets the promoter and the reconcile describe images of exactly the repositories the ECR push rule watches', () => {
    // Guards the shared list: one de-duplicated list for the rule and the grants.
    expect(functionGrants(template, PROMOTER).resources['ecr:DescribeImages']).toEqual(['legacy/app', 'team/api'].map(repositoryArn));
    expect(functionGrants(template, RECONCILE).resources['ecr:DescribeImages']).toEqual(['legacy/app', 'team/api'].map(repositoryArn));
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { detail: { 'repository-name': ['legacy/app', 'team/api'] } } });
  });

  it('grants the promoter and the gates function no secret when the config names none', () => {
    // Guards against an empty secret list becoming a statement IAM would refuse, or a wildcard.
    expect(secretsOf(functionGrants(template, PROMOTER))).toEqual([]);
    expect(secretsOf(functionGrants(template, GATES))).toEqual([]);
  });
});

describe('AutomationStack with a Slack app: function grants', () => {
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(synthApp(WITH_SLACK_APP).automation);
  });

  it('adds exactly the Slack actions function', () => {
    const descriptions = Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => fn.Properties.Description);
    expect(descriptions.sort()).toEqual([ECR_EVENT, GATES, PROMOTER, PROMOTIONS, RECONCILE, SLACK_ACTIONS, WEBHOOK].sort());
  });

  it('lets the promoter read the bot token, which posts approval requests and records decisions', () => {
    expect(functionGrants(template, PROMOTER).resources['secretsmanager:GetSecretValue']).toContain(secretArn('hoist/slack/bot-token'));
    expect(functionGrants(template, GATES).resources['secretsmanager:GetSecretValue']).not.toContain(secretArn('hoist/slack/bot-token'));
  });

  it('lets the Slack actions function claim deliveries, queue events and read only the signing secret and bot token', () => {
    const grants = functionGrants(template, SLACK_ACTIONS);
    // Guards the action list: the ledger's four item calls, SendMessageBatch (sqs:SendMessage), GetSecretValue.
    expect(grants.actions).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
      'sqs:SendMessage',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    // Guards the secrets: the Slack app's two by name; no webhook secret, no Git or Argo CD token, not the Slack webhook URL.
    const secrets = ['hoist/slack/bot-token', 'hoist/slack/signing-secret'].map(secretArn);
    expect(secretsOf(grants)).toEqual(secrets);
    // Guards every resource: the one table, the event queue (not its dead-letter queue), its own log group.
    expect(grants.resources).toEqual({
      ...deliveryLedger,
      ...logsAndTraces('SlackActionsHandlerLogs4D45AF12'),
      'secretsmanager:GetSecretValue': secrets,
      'sqs:SendMessage': [EVENT_QUEUE],
    });
    expect(grants.conditions).toBeUndefined();
  });

  it('leaves the webhook and promotions functions as they were', () => {
    expect(secretsOf(functionGrants(template, WEBHOOK))).toEqual([
      'WebhooksgiteaWebhookSecretF3E30E9A',
      'WebhooksgithubWebhookSecretA85CAA09',
      'WebhooksgitlabWebhookSecret76F47C79',
    ]);
    expect(secretsOf(functionGrants(template, PROMOTIONS))).toEqual(['PromotionsClientSecretFBF0AA2C']);
  });
});

const SECRET_QUEUE = 'SecretQueueBFC3B413';
const SECRET_DEAD_LETTERS = 'SecretQueueDeadLetters19D9BE49';
const KMS_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-1111-2222-3333-444455556666';
const secretPrefixArn = (prefix: string) => `arn:\${AWS::Partition}:secretsmanager:eu-west-1:123456789012:secret:${prefix}*`;

describe('AutomationStack with secrets sync: function grants', () => {
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(synthApp(WITH_SECRETS).automation);
  });

  it('adds exactly the secret-event, secrets-sync and secrets-reconcile functions', () => {
    const descriptions = Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => fn.Properties.Description);
    expect(descriptions.sort()).toEqual([ECR_EVENT, GATES, PROMOTER, PROMOTIONS, RECONCILE, SECRET_EVENT, SECRETS_RECONCILE, SECRETS_SYNC, WEBHOOK].sort());
  });

  it('lets the secret-event function send to the secrets queue and its own dead-letter queue, and nothing else', () => {
    const grants = functionGrants(template, SECRET_EVENT);
    // Guards everything: SendMessageBatch (sqs:SendMessage) and failed invocations to its DLQ; no secret, no table.
    expect(grants.actions).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'sqs:SendMessage', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    expect(grants.resources).toEqual({
      ...logsAndTraces('SecretEventsHandlerLogs4EDB39E1'),
      'sqs:SendMessage': ['SecretEventsDeadLettersAE1A432E', SECRET_QUEUE],
    });
    expect(grants.conditions).toBeUndefined();
  });

  it('lets the secrets sync read only the mapped secrets and its tokens, decrypt only through Secrets Manager, keep its state and consume its queue', () => {
    const grants = functionGrants(template, SECRETS_SYNC);
    expect(grants.actions).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:PutItem',
      'kms:Decrypt',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    // The synced secrets: the name pattern's prefix and the entry outside it (the one inside adds nothing).
    const synced = [secretPrefixArn('hoist/apps/'), secretArn('legacy/db-password')];
    // Read besides: the Vault token it uses (secrets.vault.auth, which wins over automation.secrets.vaultToken), the
    // Git token of the manifests repository, the sync's own and the default Slack webhook. Not the unused
    // automation.secrets.vaultToken, not the Argo CD token, not a webhook secret.
    const tokens = ['hoist/git/github-token', 'hoist/slack/secrets', 'hoist/slack/webhook-url', 'hoist/vault/token'].map(secretArn);
    expect(grants.resources).toEqual({
      'dynamodb:BatchGetItem': [TABLE],
      'dynamodb:PutItem': [TABLE],
      'kms:Decrypt': [KMS_KEY],
      ...logsAndTraces('SecretsSyncHandlerLogsA51D7B1E'),
      'secretsmanager:DescribeSecret': synced,
      'secretsmanager:GetSecretValue': [...synced, ...tokens].sort(),
      // The event source mapping's receive, delete and attributes, on the secrets queue only.
      'sqs:DeleteMessage': [SECRET_QUEUE],
      'sqs:GetQueueAttributes': [SECRET_QUEUE],
      'sqs:ReceiveMessage': [SECRET_QUEUE],
      // Terminal failures go straight to the secrets dead-letter queue.
      'sqs:SendMessage': [SECRET_DEAD_LETTERS],
    });
    // The key only through Secrets Manager, in this region.
    expect(grants.conditions).toEqual({ 'kms:Decrypt': { StringEquals: { 'kms:ViaService': `secretsmanager.eu-west-1.\${AWS::URLSuffix}` } } });
  });

  it('lets the secrets reconcile list secrets and send to the secrets queue, reading no value', () => {
    const grants = functionGrants(template, SECRETS_RECONCILE);
    expect(grants.actions).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:ListSecrets',
      'sqs:SendMessage',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    expect(grants.resources).toEqual({
      ...logsAndTraces('SecretsReconcileHandlerLogs2A6D5F65'),
      // ListSecrets has no resource-level permissions.
      'secretsmanager:ListSecrets': ['*'],
      'sqs:SendMessage': [SECRET_QUEUE],
    });
  });

  it('lets the secrets schedule invoke the secrets-reconcile function and nothing else', () => {
    const role = scheduleRole(template, 'SecretsReconcileHandlerFunction');
    expect(role).toMatch(/^SecretsReconcileScheduleRole/);
    const fn = 'SecretsReconcileHandlerFunction182C2EED';
    expect(roleGrants(template, role)).toEqual({ role, actions: ['lambda:InvokeFunction'], resources: { 'lambda:InvokeFunction': [fn, `${fn}:*`] } });
  });

  it('gives the promoter and the gates function nothing of the secrets sync: no mapped secret, no Vault token, not the secrets queue', () => {
    const gates = functionGrants(template, GATES);
    expect(secretsOf(gates)).toEqual(['hoist/argocd/token', 'hoist/git/github-token', 'hoist/slack/prod-releases', 'hoist/slack/webhook-url'].map(secretArn));
    expect(Object.values(gates.resources).flat()).not.toContain(SECRET_QUEUE);
    const grants = functionGrants(template, PROMOTER);
    expect(secretsOf(grants)).toEqual(['hoist/argocd/token', 'hoist/git/github-token', 'hoist/slack/prod-releases', 'hoist/slack/webhook-url'].map(secretArn));
    expect(grants.actions).not.toContain('kms:Decrypt');
    expect(Object.values(grants.resources).flat()).not.toContain(SECRET_QUEUE);
  });
});

/** The repository's hoist.config.yaml with Argo CD reached through its EKS cluster instead of a token. */
const WITH_ARGOCD_EKS = readFileSync('hoist.config.yaml', 'utf8').replace(
  'argocd:\n  url: https://argocd.example.com\n  tokenSecretName: hoist/argocd/token\n',
  'argocd:\n  eks: { clusterName: hoist-platform }\n',
);
const CLUSTER_ARN = `arn:\${AWS::Partition}:eks:eu-west-1:123456789012:cluster/hoist-platform`;

describe('AutomationStack with Argo CD on EKS: function grants', () => {
  let template: Template;
  let tokenTemplate: Template;
  let nag: string[];
  beforeAll(() => {
    const automation = synthApp(WITH_ARGOCD_EKS).automation;
    template = Template.fromStack(automation);
    nag = nagErrors(automation);
    tokenTemplate = Template.fromStack(synthApp().automation);
  });

  it('has no unsuppressed cdk-nag AwsSolutions errors', () => {
    expect(nag).toEqual([]);
  });

  it('lets the promoter and the gates function describe exactly the one cluster, and adds nothing else', () => {
    for (const description of [PROMOTER, GATES]) {
      const grants = functionGrants(template, description);
      const withToken = functionGrants(tokenTemplate, description);
      // Guards the action: DescribeCluster (endpoint and CA), on the configured cluster's ARN alone.
      expect(grants.actions).toEqual([...withToken.actions, 'eks:DescribeCluster'].sort());
      expect(grants.resources).toEqual({ ...withToken.resources, 'eks:DescribeCluster': [CLUSTER_ARN] });
      expect(grants.conditions).toEqual(withToken.conditions);
    }
  });

  it('gives no other function anything on EKS', () => {
    for (const description of [WEBHOOK, ECR_EVENT, RECONCILE, PROMOTIONS]) {
      expect(functionGrants(template, description).actions.filter((action) => action.startsWith('eks:'))).toEqual([]);
    }
  });

  it('puts the promoter and gates roles, and only those, in the group hoist:argocd through STANDARD access entries', () => {
    const entries = Object.values(template.findResources('AWS::EKS::AccessEntry')).map(({ Properties: p }) => ({
      ClusterName: p.ClusterName,
      PrincipalArn: p.PrincipalArn,
      Type: p.Type,
      KubernetesGroups: p.KubernetesGroups,
      AccessPolicies: p.AccessPolicies,
      Username: p.Username,
    }));
    const roles = [functionGrants(template, PROMOTER).role, functionGrants(template, GATES).role];
    // Guards principal, groups and type of each: no access policy, nothing cluster-wide; the RBAC is the platform stack's Role.
    expect(entries).toEqual(
      roles.map((role) => ({
        ClusterName: 'hoist-platform',
        PrincipalArn: { 'Fn::GetAtt': [role, 'Arn'] },
        Type: 'STANDARD',
        KubernetesGroups: ['hoist:argocd'],
        AccessPolicies: undefined,
        Username: undefined,
      })),
    );
  });

  it('makes neither access entries nor DescribeCluster grants without argocd.eks', () => {
    tokenTemplate.resourceCountIs('AWS::EKS::AccessEntry', 0);
    expect(functionGrants(tokenTemplate, PROMOTER).actions).not.toContain('eks:DescribeCluster');
    expect(functionGrants(tokenTemplate, GATES).actions).not.toContain('eks:DescribeCluster');
  });

  it('refuses a cluster in another region than the stack, naming the prop', () => {
    const elsewhere = WITH_ARGOCD_EKS.replace('eks: { clusterName: hoist-platform }', 'eks: { clusterName: hoist-platform, region: us-east-2 }');
    expect(() => synthApp(elsewhere)).toThrowError(
      /ArgoCdClusterAccessProps\.region: the cluster is in us-east-2 but access entries are made in this stack's region eu-west-1/,
    );
  });
});
