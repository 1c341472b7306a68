import { type App, Aspects, Tags } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { PromotionConfig } from '../lambdas/core/config/promotion-config';
import type { HoistConfig } from './config/hoist-config';
import { AutomationStack } from './stacks/automation-stack';
import { PlatformStack } from './stacks/platform-stack';

export interface HoistApp {
  readonly app: App;
  readonly automation: AutomationStack;
  readonly platform?: PlatformStack;
}

/**
 * Composes Hoist's stacks from a validated config; `promotion` is the
 * promotion half of the same file, parsed by parsePromotionConfig, which the
 * functions receive as it is. The automation stack
 * never references the platform stack, so it can be deployed alone against
 * an existing cluster (`platform.enabled: false`).
 */
export function buildHoistApp(
  app: App,
  config: HoistConfig,
  configFile: string,
  env: { account?: string; region?: string },
  promotion: PromotionConfig,
): HoistApp {
  const stackEnv = env.account === undefined && env.region === undefined ? {} : { env };
  const platform = config.platform.enabled
    ? new PlatformStack(app, `${pascal(config.name)}Platform`, { ...stackEnv, config, description: 'Hoist: VPC, EKS with GPU node groups, add-ons, ECR' })
    : undefined;
  const automation = new AutomationStack(app, `${pascal(config.name)}Automation`, {
    ...stackEnv,
    config,
    configFile,
    promotionConfig: promotion,
    description: 'Hoist: webhook and ECR intake, event queue, promoter',
  });
  Tags.of(app).add('app', config.name);
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: false }));
  return platform === undefined ? { app, automation } : { app, automation, platform };
}

function pascal(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
