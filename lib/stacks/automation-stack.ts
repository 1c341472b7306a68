import { Duration, Stack, type StackProps, Stage } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { PromotionConfig } from '../../lambdas/core/config/promotion-config';
import {
  argocdEksSettings,
  gateSecretNames,
  type HoistConfig,
  promoterSecretNames,
  type SecretsSyncSettings,
  secretsSyncSettings,
  slackActionsSettings,
} from '../config/hoist-config';
import { writeShippedConfig } from '../config/shipped-config';
import { AlarmTopic } from '../constructs/alarm-topic';
import { ArgoCdClusterAccess } from '../constructs/argo-cd-cluster-access';
import { DeadLetterAlarm } from '../constructs/dead-letter-alarm';
import { EcrEventIntake } from '../constructs/ecr-event-intake';
import { EcrReconcile } from '../constructs/ecr-reconcile';
import { EventQueue } from '../constructs/event-queue';
import { FunctionErrorAlarm } from '../constructs/function-error-alarm';
import { Gates } from '../constructs/gates';
import { PROMOTER_TIMEOUT, Promoter } from '../constructs/promoter';
import { PromotionEndpoint } from '../constructs/promotion-endpoint';
import { SecretChangeRule } from '../constructs/secret-change-rule';
import { SecretEventIntake } from '../constructs/secret-event-intake';
import { SecretsReconcile } from '../constructs/secrets-reconcile';
import { SECRETS_SYNC_TIMEOUT, SecretsSync } from '../constructs/secrets-sync';
import { SlackActionsEndpoint } from '../constructs/slack-actions-endpoint';
import { StateTable } from '../constructs/state-table';
import { WebhookIngress } from '../constructs/webhook-ingress';

export interface AutomationStackProps extends StackProps {
  readonly config: HoistConfig;
  /** hoist.config.yaml itself, where `promotionConfig` was read from. */
  readonly configFile: string;
  /**
   * The promotion settings of `configFile` as parsed and validated at synth
   * (parsePromotionConfig). Shipped to the functions as hoist.config.json
   * with its digest, so they need neither the YAML parser nor the schema.
   */
  readonly promotionConfig: PromotionConfig;
}

const RETENTION: Record<HoistConfig['automation']['logRetentionDays'], logs.RetentionDays> = {
  7: logs.RetentionDays.ONE_WEEK,
  14: logs.RetentionDays.TWO_WEEKS,
  30: logs.RetentionDays.ONE_MONTH,
  90: logs.RetentionDays.THREE_MONTHS,
  180: logs.RetentionDays.SIX_MONTHS,
  365: logs.RetentionDays.ONE_YEAR,
};

/**
import { gateSecretNames, type HoistConfig, promoterSecretNames, type SecretsSyncSettings, secretsSyncSettings, slackActionsSettings } from '../config/hoist-config';
 * with a `secrets:` section, the secrets sync on a queue of its own.
 * Deployable alone against an existing cluster.
 */
export class AutomationStack extends Stack {
  readonly webhooks: WebhookIngress;
  readonly events: EventQueue;

  constructor(scope: Construct, id: string, props: AutomationStackProps) {
    super(scope, id, props);
    const { automation, platform } = props.config;
    const logRetention = RETENTION[automation.logRetentionDays];
    // What every function bundles: the promotion settings as validated here, not the YAML to parse again.
    const configFile = writeShippedConfig(props.promotionConfig, Stage.of(this)?.outdir ?? '.');

    const state = new StateTable(this, 'State');
    this.events = new EventQueue(this, 'Events', { visibilityTimeout: Duration.seconds(PROMOTER_TIMEOUT.toSeconds() * 6) });
    const alarms = new AlarmTopic(this, 'Alarms', automation.alarmEmail === undefined ? {} : { email: automation.alarmEmail });

    this.webhooks = new WebhookIngress(this, 'Webhooks', {
      hosts: automation.webhookHosts,
      eventQueue: this.events,
      stateTable: state,
      rateLimit: automation.throttle.rateLimit,
      burstLimit: automation.throttle.burstLimit,
      maxBodyBytes: automation.maxBodyBytes,
      deliveryTtlDays: automation.deliveryTtlDays,
      logRetention,
      configFile,
    });

    new PromotionEndpoint(this, 'Promotions', {
      api: this.webhooks.api,
      eventQueue: this.events,
      stateTable: state,
      maxBodyBytes: automation.maxBodyBytes,
      deliveryTtlDays: automation.deliveryTtlDays,
      logRetention,
      configFile,
    });

    // Approve / Reject clicks from the Slack app, when the config has one.
    const slackActions = slackActionsSettings(props.config);
    if (slackActions !== undefined) {
      new SlackActionsEndpoint(this, 'SlackActions', {
        api: this.webhooks.api,
        eventQueue: this.events,
        stateTable: state,
        ...slackActions,
        maxBodyBytes: automation.maxBodyBytes,
        deliveryTtlDays: automation.deliveryTtlDays,
        logRetention,
        configFile,
      });
    }

    // One list for the push rule, the reconcile and the promoter's image lookups.
    const ecrRepositories = [...new Set([...automation.ecrRepositories, ...(platform.enabled ? platform.ecr.repositories : [])])].sort();
    const ecrIntake = new EcrEventIntake(this, 'EcrPushes', {
      repositories: ecrRepositories,
      eventQueue: this.events,
      stateTable: state,
      deliveryTtlDays: automation.deliveryTtlDays,
      logRetention,
      configFile,
    });

    if (automation.reconcile.enabled) {
      new EcrReconcile(this, 'EcrReconcile', {
        repositories: ecrRepositories,
        eventQueue: this.events,
        stateTable: state,
        every: Duration.minutes(automation.reconcile.everyMinutes),
        newest: automation.reconcile.newest,
        deliveryTtlDays: automation.deliveryTtlDays,
        logRetention,
        configFile,
      });
    }

    // Always built, whether or not an environment follows another yet: an idle queue and function cost
    // nothing, and a config change that adds `after` then needs no new infrastructure.
    const gates = new Gates(this, 'Gates', {
      eventQueue: this.events,
      stateTable: state,
      secretNames: gateSecretNames(props.config),
      logRetention,
      configFile,
    });

    const promoter = new Promoter(this, 'Promoter', {
      eventQueue: this.events,
      stateTable: state,
      secretNames: promoterSecretNames(props.config),
      ecrRepositories,
      logRetention,
      configFile,
      gates,
    });

    // Argo CD through its cluster's Kubernetes API, as the functions' own roles, when the config says so.
    const argocdEks = argocdEksSettings(props.config);
    if (argocdEks !== undefined) {
      new ArgoCdClusterAccess(this, 'ArgoCdAccess', {
        ...argocdEks,
        functions: { Promoter: promoter.handler.function, Gates: gates.handler.function },
      });
    }

    new DeadLetterAlarm(this, 'EventsDeadLetterAlarm', {
      queue: this.events.deadLetterQueue,
      topic: alarms.topic,
      description: 'Hoist: an event failed every promotion attempt and waits in the dead-letter queue',
    });
    new DeadLetterAlarm(this, 'GatesDeadLetterAlarm', {
      queue: gates.deadLetterQueue,
      topic: alarms.topic,
      description: 'Hoist: a gate check could not be read or failed every attempt (Argo CD unreachable); its environment waits until a person redrives it',
    });
    new DeadLetterAlarm(this, 'EcrDeadLetterAlarm', {
      queue: ecrIntake.deadLetterQueue,
      topic: alarms.topic,
      description: 'Hoist: an ECR push event could not be queued',
    });

    const secrets = secretsSyncSettings(props.config);
    if (secrets !== undefined) this.addSecretsSync(secrets, { state, alarms, logRetention, configFile });
  }

  /**
   * Secrets Manager → Vault: change events and a scheduled reconcile feed a
   * FIFO queue of their own, grouped per secret, which the secrets-sync
   * function consumes. The promotion queue is not shared: its consumer, the
   * promoter, must not be able to read application secrets.
   */
  private addSecretsSync(
    secrets: SecretsSyncSettings,
    shared: { readonly state: StateTable; readonly alarms: AlarmTopic; readonly logRetention: logs.RetentionDays; readonly configFile: string },
  ): void {
    const scope = { namePrefixes: secrets.namePrefixes, secretNames: secrets.secretNames };
    const secretQueue = new EventQueue(this, 'SecretQueue', { visibilityTimeout: Duration.seconds(SECRETS_SYNC_TIMEOUT.toSeconds() * 6) });
    const rule = new SecretChangeRule(this, 'SecretChanges', scope);
    const intake = new SecretEventIntake(this, 'SecretEvents', { rule, secretQueue, ...scope, logRetention: shared.logRetention });
    new SecretsSync(this, 'SecretsSync', {
      secretQueue,
      stateTable: shared.state,
      ...scope,
      tokenSecretNames: secrets.tokenSecretNames,
      ...(secrets.vaultTokenSecretName ? { vaultTokenSecretName: secrets.vaultTokenSecretName } : {}),
      kmsKeyArns: secrets.kmsKeyArns,
      configFile: shared.configFile,
      logRetention: shared.logRetention,
    });
    const reconcile = new SecretsReconcile(this, 'SecretsReconcile', {
      secretQueue,
      ...scope,
      every: Duration.minutes(secrets.reconcileEveryMinutes),
      logRetention: shared.logRetention,
    });

    new DeadLetterAlarm(this, 'SecretsDeadLetterAlarm', {
      queue: secretQueue.deadLetterQueue,
      topic: shared.alarms.topic,
      description: 'Hoist: a secret change failed every sync attempt and waits in the secrets dead-letter queue',
    });
    new DeadLetterAlarm(this, 'SecretEventsDeadLetterAlarm', {
      queue: intake.deadLetterQueue,
      topic: shared.alarms.topic,
      description: 'Hoist: a Secrets Manager change event could not be queued',
    });
    new FunctionErrorAlarm(this, 'SecretsReconcileErrorAlarm', {
      function: reconcile.handler.function,
      topic: shared.alarms.topic,
      description: 'Hoist: the secrets reconcile failed; secrets may have drifted from Vault until a run succeeds',
    });
  }
}
