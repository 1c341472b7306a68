import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ArgoCdClient } from '../lambdas/clients/argocd-client';
import { parseEcrImageName } from '../lambdas/clients/aws/ecr-image-name';
import { CachedSlackDirectory } from '../lambdas/clients/cached-slack-directory';
import { commitCredentialsOf, GitHostCommitHistory } from '../lambdas/clients/git-host-commit-history';
import { FilePromotionOutcomeStore } from '../lambdas/clients/local/file-promotion-outcomes';
import { InProcessGates } from '../lambdas/clients/local/in-process-gates';
import { MemoryAuditLog, MemoryTargetStateStore } from '../lambdas/clients/local/memory-promotion-stores';
import { MemoryTagHistory } from '../lambdas/clients/local/memory-tag-history';
import { ImageRegistries } from '../lambdas/clients/registry/image-registries';
import { OciImageRegistry } from '../lambdas/clients/registry/oci-image-registry';
import { parseRegistryCredentials } from '../lambdas/clients/registry/registry-credentials';
import { SlackApprovalMessages } from '../lambdas/clients/slack-approval-messages';
import { slackNotifiers } from '../lambdas/clients/slack-notifier';
import { SlackResponseUrlResponder } from '../lambdas/clients/slack-response-url';
import { SlackWebApi } from '../lambdas/clients/slack-web-api';
import { parsePromotionConfig } from '../lambdas/core/config/parse-promotion-config';
import type { PromotionConfig, SlackDestination } from '../lambdas/core/config/promotion-config';
import type { HoistEvent } from '../lambdas/core/events';
import type { AuditLog, EnvelopeConsumer, EventQueue, PromotionOutcomeStore, TagHistory, TargetStateStore } from '../lambdas/core/ports';
import { promoteBatch } from '../lambdas/core/promotion/promote-batch';
import { runGateCheck } from '../lambdas/core/promotion/run-gate';
import { type Work, workOf } from '../lambdas/core/promotion/triggers';
import { providerCache } from '../lambdas/providers/create-provider';
import { TerminalError } from '../lambdas/shared/errors';
import { logger } from '../lambdas/shared/logger';
import { createLocalSecretsSync, type LocalSecretsSync } from './dev-secrets';
import { type DevServer, type DevSlackActions, startDevServer } from './dev-server';
import type { DevSettings } from './dev-settings';
import { openDevState } from './dev-state';
import { ensureEmbeddedGitops } from './embedded-gitops';
import { resolveLocalRepositoryUrls } from './resolve-local-repositories';

export interface LocalPromoterOptions {
  readonly configPath: string;
  /** Local settings: `HOIST_ARGOCD_URL`/`HOIST_ARGOCD_TOKEN`, `HOIST_SLACK_WEBHOOK_URL`, and each repository's `credentials.env`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** What Hoist last wrote per target and the revert holds. @default in memory */
  readonly states?: TargetStateStore;
  /** @default in memory */
  readonly audit?: AuditLog;
  /** When image tags were pushed, for tags without an order of their own. @default in memory */
  readonly tagHistory?: TagHistory;
  /** Where the outcomes of `POST /promotions` requests are written for `GET /promotions/{id}`. @default none */
  readonly outcomes?: PromotionOutcomeStore;
  /** The clock of promotions and gates. @default the system clock */
  readonly now?: () => Date;
  /** Run gate checks when they fall due (the dev server), or only on `gates.runDue()` (tests). @default true */
  readonly gateTimers?: boolean;
}

/*
 * The dev server's object graph: the same handlers and promotion core as the
 * Lambda functions, wired to local stand-ins (an embedded Git repository,
 * tokens from environment variables, state in files under the work dir).
 */

/**
 * The promotion engine as the dev server runs it: the same promoteBatch as
 * the promoter function, with tokens from environment variables, and state
 * and audit in the stores given (in memory unless told otherwise).
 */
export function createLocalPromoter(options: LocalPromoterOptions): {
  consume: EnvelopeConsumer;
  workOf: (event: HoistEvent) => Work;
  audit: AuditLog;
  /** The ECR repositories the config names outright (no wildcard), which `POST /reconcile` would list. */
  ecrRepositories: string[];
  /** The config as parsed, repository URLs resolved. */
  config: PromotionConfig;
  /** Gates of environments that follow another, waiting to be looked at. */
  gates: InProcessGates;
  /** Where a passed gate queues its promotion: the dev server's queue, once it exists. */
  bindQueue(queue: EventQueue): void;
} {
  const config = resolveLocalRepositoryUrls(parsePromotionConfig(readFileSync(options.configPath, 'utf8'), options.configPath), dirname(options.configPath));
  const { env } = options;
  const audit = options.audit ?? new MemoryAuditLog();
  const states = options.states ?? new MemoryTargetStateStore();
  const tagHistory = options.tagHistory ?? new MemoryTagHistory();
  // Registries are asked over the OCI distribution API with credentials from the variables the config names; ECR needs AWS.
  const imageRegistry = new ImageRegistries({
    ecr: {
      resolve: async () => {
        throw new TerminalError("the dev server cannot ask ECR whether a tag exists; set the trigger's verify: none");
      },
    },
    oci: new OciImageRegistry({
      plainHttp: config.registry.plainHttp,
      credentials: async (host) => {
        const variable = config.registry.credentials[host]?.env;
        const text = variable === undefined ? undefined : env[variable];
        return text === undefined ? undefined : parseRegistryCredentials(text, `variable ${variable}`);
      },
    }),
  });
  const providerFor = providerCache(async (repository) => (repository.credentials.env ? env[repository.credentials.env] : undefined));
  // Git ancestry of built commits, with the token from the variable a `from` source names.
  const commitHistory = new GitHostCommitHistory({
    token: async (source) => {
      const variable = commitCredentialsOf(config, source)?.env;
      return variable === undefined ? undefined : env[variable];
    },
  });
  const argocd =
    env.HOIST_ARGOCD_URL && env.HOIST_ARGOCD_TOKEN
      ? new ArgoCdClient({ url: env.HOIST_ARGOCD_URL, token: env.HOIST_ARGOCD_TOKEN, refresh: config.argocd.refresh, sync: config.argocd.sync })
      : undefined;
  // Locally a destination's URL comes from the variable it names; the default from HOIST_SLACK_WEBHOOK_URL.
  const notifierFor = slackNotifiers<SlackDestination>((destination) => {
    const url = destination?.env ? env[destination.env] : env[config.slack.env ?? 'HOIST_SLACK_WEBHOOK_URL'];
    return url ? async () => url : undefined;
  });
  const now = options.now ?? (() => new Date());
  const gates = new InProcessGates({
    now,
    timers: options.gateTimers ?? true,
    onError: (check, error) => logger.warn('gate check failed; looking again in 30 s', { gate: check.id, error: String(error) }),
  });
  let queue: EventQueue | undefined;
  gates.bind((check) =>
    runGateCheck(check, {
      config,
      providerFor,
      states,
      ...(argocd ? { argocd } : {}),
      queue: {
        enqueue: async (envelopes) => {
          if (queue === undefined) throw new Error('the dev server queue is not bound yet');
          await queue.enqueue(envelopes);
        },
      },
      gates,
      audit,
      notifierFor,
      log: logger,
      now,
    }).then((decision) => logger.info('gate', { gate: check.id, decision: decision.kind, reason: decision.reason })),
  );
  const consume: EnvelopeConsumer = async (envelope) => {
    const botToken = config.slack.app?.botTokenEnv ? env[config.slack.app.botTokenEnv] : undefined;
    const result = await promoteBatch([envelope], {
      gates,
      ...(config.slack.app && botToken
        ? {
            approvals: new SlackApprovalMessages(
              new SlackWebApi({ token: async () => botToken, ...(env.HOIST_SLACK_API_URL ? { baseUrl: env.HOIST_SLACK_API_URL } : {}) }),
              config.slack.app.channel,
            ),
          }
        : {}),
      config,
      providerFor,
      states,
      audit,
      tagHistory,
      commitHistory,
      imageRegistry,
      ...(options.outcomes ? { outcomes: options.outcomes } : {}),
      ...(argocd ? { argocd } : {}),
      notifierFor,
      log: logger,
      now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    });
    for (const applied of result.applied) {
      logger.info('promoted', {
        repository: applied.change.repository,
        branch: applied.change.branch,
        commit: applied.commit,
        promotions: applied.change.promotions.map((p) => `${p.service} ${p.environment}: ${p.fromTag ?? '-'} -> ${p.toTag}`),
      });
    }
    for (const noop of result.noops) logger.info('no change', { image: noop.image, tag: noop.tag, environment: noop.environment, reason: noop.reason });
    // What landed stays; the envelope goes to the dead letters with the reasons, as on AWS.
    if (result.failures.length > 0) throw new TerminalError(result.failures.map((f) => f.reason).join('; '));
  };
  const ecrRepositories = [
    ...new Set(config.images.map((image) => image.image).filter((name) => !name.includes('*') && parseEcrImageName(name) !== undefined)),
  ].sort();
  return {
    consume,
    workOf: (event) => workOf(config, event),
    audit,
    ecrRepositories,
    config,
    gates,
    bindQueue: (bound) => {
      queue = bound;
    },
  };
}

/**
 * `POST /slack/actions` of the dev server: the signing secret and bot token
 * from the variables `slack.app` names (`signingSecretEnv`, `botTokenEnv`),
 * Slack's own Web API and response_urls. Undefined, with the reason, when
 * there is no `slack.app` or a variable is not set.
 */
export function localSlackActions(
  app: PromotionConfig['slack']['app'],
  env: Readonly<Record<string, string | undefined>>,
): { readonly actions?: DevSlackActions; readonly off?: string } {
  if (app === undefined) return {};
  const signingSecret = app.signingSecretEnv ? env[app.signingSecretEnv] : undefined;
  const token = app.botTokenEnv ? env[app.botTokenEnv] : undefined;
  if (!signingSecret || !token) {
    const names = [app.signingSecretEnv ?? 'slack.app.signingSecretEnv', app.botTokenEnv ?? 'slack.app.botTokenEnv'];
    return { off: `set ${names.join(' and ')} to take Slack approval clicks` };
  }
  return {
    actions: {
      signingSecret,
      app,
      directory: new CachedSlackDirectory({ directory: new SlackWebApi({ token: async () => token }) }),
      responder: new SlackResponseUrlResponder(),
    },
  };
}

export interface LocalDevServer extends DevServer {
  readonly configPath: string;
  /** The embedded GitOps repository, when no HOIST_CONFIG is set. */
  readonly embedded?: { readonly bareRepo: string; readonly created: boolean };
  /** Where delivery ids, target states, promotion outcomes and the audit trail are kept. */
  readonly stateDir: string;
  /** The secrets sync, when the config has a secrets: section. */
  readonly secrets?: LocalSecretsSync;
  /** `POST /slack/actions`: on, or off with the reason, when the config has slack.app. */
  readonly slackActions?: { readonly on: boolean; readonly off?: string };
}

/**
 * What `npm start` runs: the dev server with the promotion engine, its state
 * under the work directory (so a restart neither re-queues a delivery it has
 * seen nor forgets a revert hold), and, without HOIST_CONFIG, the embedded
 * GitOps repository.
 */
export async function startLocalDevServer(settings: DevSettings, env: Readonly<Record<string, string | undefined>>): Promise<LocalDevServer> {
  const embedded = settings.HOIST_CONFIG === undefined ? ensureEmbeddedGitops(settings.HOIST_WORK_DIR) : undefined;
  const configPath = settings.HOIST_CONFIG ?? (embedded?.configPath as string);
  const state = openDevState(settings.HOIST_WORK_DIR);
  let outcomes: FilePromotionOutcomeStore | undefined;
  let secrets: LocalSecretsSync | undefined;
  let closeGates = () => {};
  const closeState = () => {
    closeGates();
    state.close();
    outcomes?.close();
    void secrets?.close();
  };
  try {
    // What GET /promotions/{id} answers, kept beside the other state so CI can poll across a restart.
    outcomes = new FilePromotionOutcomeStore({ dir: state.dir });
    const promoter = createLocalPromoter({ configPath, env, states: state.states, audit: state.audit, tagHistory: state.tagHistory, outcomes });
    secrets = await createLocalSecretsSync({ config: promoter.config, env, workDir: settings.HOIST_WORK_DIR, stateDir: state.dir, audit: state.audit });
    const slack = localSlackActions(promoter.config.slack.app, env);
    const server = await startDevServer({
      port: settings.PORT,
      env,
      ledger: state.ledger,
      promotionOutcomes: outcomes,
      consume: promoter.consume,
      workOf: promoter.workOf,
      // There is no ECR here: `POST /reconcile` lists nothing and says so.
      reconcile: { repositories: promoter.ecrRepositories },
      ...(secrets ? { secrets } : {}),
      ...(slack.actions ? { slackActions: { ...slack.actions, audit: state.audit } } : {}),
    });
    promoter.bindQueue(server.queue);
    closeGates = () => promoter.gates.close();
    return {
      ...server,
      configPath,
      ...(embedded ? { embedded } : {}),
      stateDir: state.dir,
      ...(secrets ? { secrets } : {}),
      ...(slack.actions ? { slackActions: { on: true } } : slack.off ? { slackActions: { on: false, off: slack.off } } : {}),
      close: () => server.close().finally(closeState),
    };
  } catch (error) {
    closeState();
    throw error;
  }
}
