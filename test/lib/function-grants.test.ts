import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { functionGrants, secretsOf } from './function-grants';

/** A hand-written template in the shapes CDK emits: a role with a default policy, an inline policy, a customer- and an AWS-managed policy. */
function templateWith(extraStatement?: Record<string, unknown>) {
  return Template.fromJSON({
    Resources: {
      FnRole1234ABCD: {
        Type: 'AWS::IAM::Role',
        Properties: {
          Policies: [
            {
              PolicyName: 'inline',
              PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['Queue', 'Arn'] } }] },
            },
          ],
          ManagedPolicyArns: [
            { Ref: 'Managed' },
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']] },
          ],
        },
      },
      Managed: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: { PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'ecr:DescribeImages', Resource: 'arn:aws:ecr:eu-west-1:1:repository/a' }] } },
      },
      FnRoleDefaultPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          Roles: [{ Ref: 'FnRole1234ABCD' }],
          PolicyDocument: {
            Statement: [
              { Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:GetItem'], Resource: { 'Fn::GetAtt': ['Table', 'Arn'] } },
              { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: [{ Ref: 'SecretB' }, { Ref: 'SecretA' }] },
              { Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Table', 'Arn'] }, '/index/*']] } },
              ...(extraStatement ? [extraStatement] : []),
            ],
          },
        },
      },
      OtherPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: { Roles: [{ Ref: 'OtherRole' }], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] } },
      },
      Fn: { Type: 'AWS::Lambda::Function', Properties: { Description: 'the function', Role: { 'Fn::GetAtt': ['FnRole1234ABCD', 'Arn'] } } },
    },
  });
}

describe('functionGrants', () => {
  it('collects every policy that reaches the role, resolving references to logical ids', () => {
    const grants = functionGrants(templateWith(), 'the function');
    expect(grants).toEqual({
      role: 'FnRole1234ABCD',
      actions: [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'ecr:DescribeImages',
        'managed-policy:service-role/AWSLambdaBasicExecutionRole',
        'secretsmanager:GetSecretValue',
        'sqs:SendMessage',
      ],
      resources: {
        'dynamodb:GetItem': ['Table'],
        'dynamodb:PutItem': ['Table', 'Table/index/*'],
        'ecr:DescribeImages': ['arn:aws:ecr:eu-west-1:1:repository/a'],
        'managed-policy:service-role/AWSLambdaBasicExecutionRole': [`arn:\${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`],
        'secretsmanager:GetSecretValue': ['SecretA', 'SecretB'],
        'sqs:SendMessage': ['Queue'],
      },
    });
    expect(secretsOf(grants)).toEqual(['SecretA', 'SecretB']);
  });

  it('refuses statements it cannot report exactly', () => {
    for (const statement of [
      { Effect: 'Deny', Action: 's3:*', Resource: '*' },
      { Effect: 'Allow', NotAction: 's3:*', Resource: '*' },
      // Granted without a condition above, and with one here.
      { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Sub': `\${Bucket}/*` } },
    ]) {
      expect(() => functionGrants(templateWith(statement), 'the function')).toThrowError(/does not (model|resolve)/);
    }
  });

  it('reports the condition an action is granted under, its values resolved', () => {
    const viaSecretsManager = { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } } };
    const grants = functionGrants(
      templateWith({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:eu-west-1:1:key/k', Condition: viaSecretsManager }),
      'the function',
    );
    expect(grants.resources['kms:Decrypt']).toEqual(['arn:aws:kms:eu-west-1:1:key/k']);
    expect(grants.conditions).toEqual({ 'kms:Decrypt': { StringEquals: { 'kms:ViaService': `secretsmanager.eu-west-1.\${AWS::URLSuffix}` } } });
    expect(functionGrants(templateWith(), 'the function').conditions).toBeUndefined();
  });

  it('names the description when no single function matches', () => {
    expect(() => functionGrants(templateWith(), 'another function')).toThrowError("expected one function described 'another function', found 0");
  });
});
