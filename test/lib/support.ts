import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { buildHoistApp, type HoistApp } from '../../lib/build-app';
import { parseHoistConfig } from '../../lib/config/hoist-config';

/** The app as `cdk synth` builds it from the repository's own hoist.config.yaml (or `text`). */
export function synthApp(text = readFileSync('hoist.config.yaml', 'utf8')): HoistApp {
  return buildHoistApp(new App(), parseHoistConfig(text), resolve('hoist.config.yaml'), { account: '123456789012', region: 'eu-west-1' });
}

/** Every unsuppressed cdk-nag (AwsSolutions) error on a stack, as `path: message`. */
export function nagErrors(stack: Stack): string[] {
  return Annotations.fromStack(stack)
    .findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))
    .map((finding) => `${finding.id}: ${String(finding.entry.data).split('\n')[0]}`);
}
