import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { parsePromotionConfig } from '../lambdas/core/config/parse-promotion-config';
import { buildHoistApp } from '../lib/build-app';
import { loadHoistConfig } from '../lib/config/hoist-config';

const app = new App();
const configPath = (app.node.tryGetContext('hoist:config') as string | undefined) ?? 'hoist.config.yaml';
const account = (app.node.tryGetContext('account') as string | undefined) ?? process.env.CDK_DEFAULT_ACCOUNT;
const region = (app.node.tryGetContext('region') as string | undefined) ?? process.env.CDK_DEFAULT_REGION;
const config = loadHoistConfig(configPath);
// The promotion settings are bundled with the functions as parsed here: a mistake there fails synth, not the first promotion.
const promotion = parsePromotionConfig(readFileSync(config.sourceFile, 'utf8'), configPath);
buildHoistApp(app, config, config.sourceFile, { ...(account ? { account } : {}), ...(region ? { region } : {}) }, promotion);
