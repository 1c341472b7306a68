import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface PlatformNetworkProps {
  /** @default 3 */
  readonly maxAzs?: number;
  /** @default 1 */
  readonly natGateways?: number;
}

/**
 * The cluster's VPC: public subnets for load balancers and NAT, private
 * subnets (with egress) for nodes across availability zones, and flow logs
 * of rejected traffic.
 */
export class PlatformNetwork extends Construct {
  readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: PlatformNetworkProps = {}) {
    super(scope, id);
    const maxAzs = props.maxAzs ?? 3;
    const natGateways = props.natGateways ?? 1;
    if (natGateways > maxAzs) throw new Error(`PlatformNetworkProps.natGateways: ${natGateways} exceeds maxAzs ${maxAzs}`);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs,
      natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 22 },
        { name: 'nodes', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 19 },
      ],
    });
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });
  }
}
