import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { resolveLocalRepositoryUrls } from '../../dev/resolve-local-repositories';
import { readAuditTrail } from '../clients/aws/dynamodb-audit-trail';
import { DynamoDbAuditLog, DynamoDbTargetStateStore } from '../clients/aws/dynamodb-promotion-stores';
import { DynamoDbTagHistory } from '../clients/aws/dynamodb-tag-history';
import { AUDIT_FILE, FileAuditLog } from '../clients/local/file-audit-log';
import { TAG_HISTORY_FILE } from '../clients/local/file-tag-history';
import { FileTargetStateStore, TARGET_STATES_FILE } from '../clients/local/file-target-state-store';
import { MemoryTagHistory } from '../clients/local/memory-tag-history';
import { readJsonLines } from '../clients/local/private-files';
import { parsePromotionConfig } from '../core/config/parse-promotion-config';
import type { PromotionConfig, RepositoryConfig } from '../core/config/promotion-config';
import type { AuditLog, GitProvider, TagHistory, TargetStateStore } from '../core/ports';
import { providerCache } from '../providers/create-provider';
import { TerminalError } from '../shared/errors';

export interface CliWiringOptions {
  /** hoist.config.yaml; relative `git` repository paths in it are read against its directory, as the dev server reads them. */
  readonly configPath: string;
  /** The local state directory: target states, the audit trail and the tag history, as the dev server keeps them. */
  readonly stateDir: string;
  /** Where each repository's `credentials.env` is looked up. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** A deployment's state table (DynamoDB): target states, holds and the audit trail there instead of `stateDir`. */
  readonly table?: string;
}

/** How far back `history` and `rollback` read a deployment's audit trail. */
export const AUDIT_DAYS = 90;

/** What the `hoist` commands work with. */
export interface CliDeps {
  readonly config: PromotionConfig;
  readonly configPath: string;
  readonly stateDir: string;
  readonly providerFor: (repository: RepositoryConfig) => Promise<GitProvider>;
  /** Target states in `<state>/target-states.json`; reading never creates the state directory, writing does. */
  readonly states: TargetStateStore;
  /** Push times the dev server recorded, read only: a dry run records nothing. */
  readonly tagHistory: TagHistory;
  /** The audit records: the lines of `<state>/audit.jsonl`, or with a table the deployment's records of the last 90 days. */
  readonly auditLines: () => Promise<unknown[]>;
  /** Appends to `<state>/audit.jsonl` (a rollback is a promotion too). */
  readonly audit: AuditLog;
  readonly now: () => Date;
}

const TagHistoryLineSchema = z.object({ image: z.string(), tag: z.string(), pushedAt: z.string() });

/**
 * The CLI's object graph: the same config parser, providers and planning
 * core as the Lambda functions and the dev server, with tokens from the
 * environment variables the config names and state in the dev server's
 * files. Only `hold` and `release` write (the target states file); the dev
 * server reads that file again before each batch, so both may run at once.
 */
export function wireCli(options: CliWiringOptions): CliDeps {
  const configPath = resolve(options.configPath);
  if (!existsSync(configPath)) throw new TerminalError(`config ${options.configPath} not found`);
  const config = resolveLocalRepositoryUrls(parsePromotionConfig(readFileSync(configPath, 'utf8'), options.configPath), dirname(configPath));
  const stateDir = resolve(options.stateDir);
  const { env } = options;
  const providerFor = providerCache(async (repository) => (repository.credentials.env ? env[repository.credentials.env] : undefined));
  const states: TargetStateStore = {
    get: async (keys) => (existsSync(join(stateDir, TARGET_STATES_FILE)) ? new FileTargetStateStore(stateDir).get(keys) : new Map()),
    put: (key, state) => new FileTargetStateStore(stateDir).put(key, state),
  };
  const tagHistory = new MemoryTagHistory();
  const recorded = readJsonLines(join(stateDir, TAG_HISTORY_FILE)).flatMap((line) => {
    const entry = TagHistoryLineSchema.safeParse(line);
    return entry.success ? [entry.data] : [];
  });
  void tagHistory.record(recorded);
  if (options.table !== undefined) {
    // A deployment: the same table the functions use, through the SDK's own credential and endpoint settings.
    const client = new DynamoDBClient({});
    const table = options.table;
    return {
      config,
      configPath,
      stateDir: `table ${table}`,
      providerFor,
      states: new DynamoDbTargetStateStore(client, table),
      tagHistory: { pushTimes: (tags) => new DynamoDbTagHistory(client, table).pushTimes(tags), record: async () => undefined },
      auditLines: () => readAuditTrail(client, table, new Date(), AUDIT_DAYS),
      audit: new DynamoDbAuditLog(client, table),
      now: () => new Date(),
    };
  }
  return {
    config,
    configPath,
    stateDir,
    providerFor,
    states,
    // A dry run must not remember the tags it was asked about.
    tagHistory: { pushTimes: (tags) => tagHistory.pushTimes(tags), record: async () => undefined },
    auditLines: async () => readJsonLines(join(stateDir, AUDIT_FILE)),
    // Opened on the first record only: the read-only commands create nothing.
    audit: {
      record: async (entry) => {
        const log = new FileAuditLog({ dir: stateDir });
        try {
          await log.record(entry);
        } finally {
          log.close();
        }
      },
    },
    now: () => new Date(),
  };
}
