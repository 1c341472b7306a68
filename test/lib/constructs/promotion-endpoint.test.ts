import { Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../../lib/constructs/event-queue';
import { PromotionEndpoint } from '../../../lib/constructs/promotion-endpoint';
import { StateTable } from '../../../lib/constructs/state-table';

describe('PromotionEndpoint props', () => {
  it('refuses a limit that is not a positive whole number, naming the prop', () => {
    const stack = new Stack();
    const base = { api: new apigwv2.HttpApi(stack, 'Api'), eventQueue: new EventQueue(stack, 'Events'), stateTable: new StateTable(stack, 'State') };
    expect(() => new PromotionEndpoint(stack, 'A', { ...base, maxBodyBytes: 0 })).toThrow(/^PromotionEndpointProps\.maxBodyBytes: /);
    expect(() => new PromotionEndpoint(stack, 'B', { ...base, outcomeTtlDays: 1.5 })).toThrow(/^PromotionEndpointProps\.outcomeTtlDays: /);
  });
});
