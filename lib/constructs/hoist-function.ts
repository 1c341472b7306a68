import { fileURLToPath } from 'node:url';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

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
  /** Files copied next to the bundle (absolute paths), e.g. hoist.config.yaml. @default none */
  readonly extraFiles?: readonly string[];
}

/**
 * A Hoist Lambda function: bundled by esbuild (minified, tree-shaken ESM with
 * the modular AWS SDK v3 clients inside, so versions are pinned by the lock
 * file), arm64, Node.js 24, JSON logs in its own log group, X-Ray tracing,
 * and a role that starts with nothing but writing its own logs.
 */
export class HoistFunction extends Construct {
  readonly function: NodejsFunction;
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

    this.function = new NodejsFunction(this, 'Function', {
      entry: `${PROJECT_ROOT}lambdas/${props.functionDir}/handler.ts`,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      description: props.description,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      environment: { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'hoist', ...props.environment },
      ...(props.reservedConcurrentExecutions === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        mainFields: ['module', 'main'],
        // Bundle the SDK too: the lock file, not the runtime, decides its version.
        externalModules: [],
        // Some CommonJS dependencies call require(); give ESM bundles one.
        banner: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
        ...(props.extraFiles && props.extraFiles.length > 0
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (_input: string, output: string) => (props.extraFiles ?? []).map((file) => `cp "${file}" "${output}/"`),
              },
            }
          : {}),
      },
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
