import { copyFileSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, type Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { SHIPPED_CONFIG_FILE, shippedConfigDigest } from '../config/shipped-config';

/** The repository root, where package-lock.json and `lambdas/` live. */
const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface HoistFunctionProps {
  /** Folder under `lambdas/` whose `handler.ts` exports `handler`. */
  readonly functionDir: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly environment?: Record<string, string>;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Caps concurrent executions. @default no cap */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Files copied next to the bundle (absolute paths). A `hoist.config.json`
   * among them (see writeShippedConfig) also sets `HOIST_CONFIG_SHA256`, the
   * digest the function checks it against before use.
   * @default none
   */
  readonly extraFiles?: readonly string[];
}

/**
 * A Hoist Lambda function: bundled by esbuild (minified, tree-shaken ESM with
 * the modular AWS SDK v3 clients inside, so versions are pinned by the lock
 * file), arm64, Node.js 24, JSON logs in its own log group, X-Ray tracing,
 * and a role that starts with nothing but writing its own logs. The bundle is
 * split at dynamic imports: what a handler imports only when it is used (the
 * promotion engine, the Git host SDKs) is a chunk of its own that the cold
 * start does not load.
 */
export class HoistFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: HoistFunctionProps) {
    super(scope, id);
    if (!/^[a-z][a-z0-9-]*$/.test(props.functionDir)) {
      throw new Error(`HoistFunctionProps.functionDir: expected a folder name under lambdas/, got '${props.functionDir}'`);
    }
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the Hoist ${props.functionDir} function`,
    });
    logGroup.grantWrite(this.role);
    const shippedConfig = (props.extraFiles ?? []).find((file) => basename(file) === SHIPPED_CONFIG_FILE);
    const configDigest: Record<string, string> =
      shippedConfig === undefined ? {} : { HOIST_CONFIG_SHA256: shippedConfigDigest(readFileSync(shippedConfig, 'utf8')) };
    const entry = `${PROJECT_ROOT}lambdas/${props.functionDir}/handler.ts`;

    this.function = new lambda.Function(this, 'Function', {
      code: lambda.Code.fromAsset(`${PROJECT_ROOT}lambdas/${props.functionDir}`, {
        // The bundle, not the folder, is the asset: its hash changes when anything bundled into it does.
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Bundled here with esbuild's API; the image is never used.
          image: DockerImage.fromRegistry('scratch'),
          local: {
            tryBundle: (outputDir) => {
              bundleHandler(entry, outputDir);
              for (const file of props.extraFiles ?? []) copyFileSync(file, join(outputDir, basename(file)));
              return true;
            },
          },
        },
      }),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      description: props.description,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      environment: { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'hoist', ...configDigest, ...props.environment },
      ...(props.reservedConcurrentExecutions === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
    });

    NagSuppressions.addResourceSuppressions(
      this.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            "X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions; log-stream wildcards are limited to this function's own log group.",
          appliesTo: ['Resource::*', { regex: '/^Resource::<.*Logs.*\\.Arn>:\\*$/g' }],
        },
      ],
      true,
    );
  }
}

/**
 * Bundles a handler into `outputDir` as `index.mjs` (and the chunks it
 * imports when needed): minified ESM for Node.js 24, source maps without
 * sources, the AWS SDK inside (the lock file, not the runtime, decides its
 * version). Also what `npm run bench` measures.
 */
export function bundleHandler(entry: string, outputDir: string): void {
  buildSync({
    entryPoints: { index: entry },
    outdir: outputDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    // Some CommonJS dependencies call require(); give ESM bundles one.
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    logLevel: 'error',
  });
}
