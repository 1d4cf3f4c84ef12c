import { checkTemplate, type Finding, type Template } from '../helpers/cfn-spec-check';
import { packagedStack } from '../helpers/packaged-stack';

jest.setTimeout(120_000);

describe('the packaged template against the AWS resource specification', () => {
  test.each([
    ['the default parameters', {}],
    ['restAuth=iam', { restAuth: 'iam' }],
    ['collectionGeneration=CLASSIC', { collectionGeneration: 'CLASSIC' }],
  ])('has no findings with %s', async (_, params) => {
    const { template } = await packagedStack(params);
    expect(checkTemplate(template)).toEqual([]);
  });
});

/** A small template that breaks no rule; each case below breaks one. */
function valid(): Template {
  return {
    Conditions: { Public: { 'Fn::Equals': ['a', 'b'] } },
    Resources: {
      Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 60 }, DeletionPolicy: 'Retain' },
      QueuePolicy: {
        Type: 'AWS::SQS::QueuePolicy',
        Condition: 'Public',
        Properties: {
          Queues: [{ Ref: 'Queue' }],
          PolicyDocument: {
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'sns.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Resource: { 'Fn::GetAtt': ['Queue', 'Arn'] },
                Condition: { ArnEquals: { 'aws:SourceArn': { Ref: 'Topic' } } },
              },
            ],
          },
        },
      },
      Topic: {
        Type: 'AWS::SNS::Topic',
        Properties: { DisplayName: { 'Fn::If': ['Public', 'Public', { Ref: 'AWS::NoValue' }] } },
      },
      Subscription: {
        Type: 'AWS::SNS::Subscription',
        DependsOn: ['Queue'],
        Properties: {
          TopicArn: { Ref: 'Topic' },
          Protocol: 'sqs',
          Endpoint: { 'Fn::GetAtt': ['Queue', 'Arn'] },
          RawMessageDelivery: true,
        },
      },
      Logs: {
        Type: 'AWS::Logs::LogGroup',
        Properties: {
          RetentionInDays: 30,
          LogGroupName: {
            'Fn::Sub': ['/${AWS::StackName}/${Queue.QueueName}/${Index.Anything}/${Seed.Count}/${Suffix}/${!Literal}', { Suffix: 'x' }],
          },
        },
      },
      Bucket: {
        Type: 'AWS::S3::Bucket',
        Properties: {
          VersioningConfiguration: { Status: 'Enabled' },
          BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true }] },
        },
      },
      Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { Threshold: 0.5, ActionsEnabled: false } },
      Method: {
        Type: 'AWS::ApiGateway::Method',
        Properties: {
          HttpMethod: 'GET',
          ResourceId: 'abc',
          RestApiId: 'def',
          RequestParameters: { 'method.request.querystring.q': true },
        },
      },
      Index: { Type: 'Custom::Index', Properties: { ServiceToken: { 'Fn::GetAtt': ['Queue', 'Arn'] }, Dimension: 512 } },
      Seed: {
        Type: 'AWS::CloudFormation::CustomResource',
        Properties: { ServiceToken: { 'Fn::GetAtt': ['Queue', 'Arn'] }, Rows: 3 },
      },
    },
    Outputs: { QueueUrl: { Value: { 'Fn::GetAtt': ['Queue', 'QueueUrl'] } } },
  };
}

const resources = (template: Template) => template.Resources as Record<string, any>;
const finding = (logicalId: string, path: string, rule: Finding['rule'], detail: string): Finding => ({
  section: 'Resources',
  logicalId,
  path,
  rule,
  detail,
});

describe('the checker', () => {
  test('finds nothing in a template that breaks no rule', () => {
    expect(checkTemplate(valid())).toEqual([]);
  });

  test.each<[string, (t: Template) => void, Finding]>([
    [
      'an unknown resource type',
      (t) => (t.Resources.Queue.Type = 'AWS::SQS::Queues'),
      finding('Queue', 'Type', 'resource-type', 'AWS::SQS::Queues is not in the resource specification'),
    ],
    [
      'an unknown property',
      (t) => (resources(t).Queue.Properties = { VisibilityTimeOut: 60 }),
      finding('Queue', 'Properties.VisibilityTimeOut', 'unknown-property', 'AWS::SQS::Queue has no property VisibilityTimeOut'),
    ],
    [
      'an unknown property in a nested type, in a list',
      (t) => (resources(t).Bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0] = { BucketKeyEnable: true }),
      finding(
        'Bucket',
        'Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].BucketKeyEnable',
        'unknown-property',
        'ServerSideEncryptionRule has no property BucketKeyEnable',
      ),
    ],
    [
      'a missing required property',
      (t) => delete resources(t).Subscription.Properties.Protocol,
      finding('Subscription', 'Properties.Protocol', 'required-property', 'AWS::SNS::Subscription requires Protocol'),
    ],
    [
      'a custom resource without ServiceToken',
      (t) => delete resources(t).Index.Properties.ServiceToken,
      finding('Index', 'Properties.ServiceToken', 'required-property', 'a custom resource needs ServiceToken'),
    ],
    [
      'text where an integer is expected',
      (t) => (resources(t).Queue.Properties.VisibilityTimeout = 'a minute'),
      finding('Queue', 'Properties.VisibilityTimeout', 'value-kind', 'expected an integer, got "a minute"'),
    ],
    [
      'a fraction where an integer is expected',
      (t) => (resources(t).Queue.Properties.VisibilityTimeout = 1.5),
      finding('Queue', 'Properties.VisibilityTimeout', 'value-kind', 'expected an integer, got 1.5'),
    ],
    [
      'a fraction written as text where an integer is expected',
      (t) => (resources(t).Queue.Properties.VisibilityTimeout = '60.0'),
      finding('Queue', 'Properties.VisibilityTimeout', 'value-kind', 'expected an integer, got "60.0"'),
    ],
    [
      'text where a number is expected',
      (t) => (resources(t).Alarm.Properties.Threshold = 'half'),
      finding('Alarm', 'Properties.Threshold', 'value-kind', 'expected a number, got "half"'),
    ],
    [
      'a boolean where a number is expected',
      (t) => (resources(t).Alarm.Properties.Threshold = true),
      finding('Alarm', 'Properties.Threshold', 'value-kind', 'expected a number, got true'),
    ],
    [
      'a word other than true or false where a boolean is expected',
      (t) => (resources(t).Subscription.Properties.RawMessageDelivery = 'yes'),
      finding('Subscription', 'Properties.RawMessageDelivery', 'value-kind', 'expected a boolean, got "yes"'),
    ],
    [
      'a number where a boolean is expected',
      (t) => (resources(t).Subscription.Properties.RawMessageDelivery = 1),
      finding('Subscription', 'Properties.RawMessageDelivery', 'value-kind', 'expected a boolean, got 1'),
    ],
    [
      'a list where a string is expected',
      (t) => (resources(t).Subscription.Properties.Protocol = ['sqs']),
      finding('Subscription', 'Properties.Protocol', 'value-kind', 'expected a string, got ["sqs"]'),
    ],
    [
      'a value of none of the kinds a union takes',
      (t) => (resources(t).Method.Properties.RequestParameters['method.request.querystring.q'] = ['required']),
      finding(
        'Method',
        'Properties.RequestParameters.method.request.querystring.q',
        'value-kind',
        'expected a boolean or a string, got ["required"]',
      ),
    ],
    [
      'a GetAtt to a missing resource inside a policy document',
      (t) => (resources(t).QueuePolicy.Properties.PolicyDocument.Statement[0].Resource = { 'Fn::GetAtt': ['Queues', 'Arn'] }),
      finding(
        'QueuePolicy',
        'Properties.PolicyDocument.Statement[0].Resource.Fn::GetAtt',
        'getatt-target',
        '"Queues" is not a resource of the template',
      ),
    ],
    [
      'a wrong kind in a branch of Fn::If',
      (t) => (resources(t).Topic.Properties.DisplayName['Fn::If'][1] = { Name: 'Public' }),
      finding('Topic', 'Properties.DisplayName.Fn::If[1]', 'value-kind', 'expected a string, got {"Name":"Public"}'),
    ],
    [
      'an integer outside the allowed values',
      (t) => (resources(t).Logs.Properties.RetentionInDays = 31),
      finding(
        'Logs',
        'Properties.RetentionInDays',
        'allowed-values',
        '31 is not one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
      ),
    ],
    [
      'a string outside the allowed values',
      (t) => (resources(t).Bucket.Properties.VersioningConfiguration.Status = 'On'),
      finding('Bucket', 'Properties.VersioningConfiguration.Status', 'allowed-values', '"On" is not one of Enabled, Suspended'),
    ],
    [
      'a Ref to nothing',
      (t) => (resources(t).Subscription.Properties.TopicArn = { Ref: 'Topik' }),
      finding('Subscription', 'Properties.TopicArn.Ref', 'ref-target', '"Topik" is no resource, parameter or pseudo parameter'),
    ],
    [
      'a GetAtt to a missing attribute',
      (t) => (resources(t).Subscription.Properties.Endpoint = { 'Fn::GetAtt': ['Queue', 'Url'] }),
      finding('Subscription', 'Properties.Endpoint.Fn::GetAtt', 'getatt-target', 'AWS::SQS::Queue has no attribute Url'),
    ],
    [
      'a GetAtt to a missing resource, in a custom resource',
      (t) => (resources(t).Index.Properties.ServiceToken = { 'Fn::GetAtt': 'Function.Arn' }),
      finding('Index', 'Properties.ServiceToken.Fn::GetAtt', 'getatt-target', '"Function" is not a resource of the template'),
    ],
    [
      'a Sub reference to nothing',
      (t) => (resources(t).Logs.Properties.LogGroupName = { 'Fn::Sub': '/${AWS::StackName}/${Stage}' }),
      finding('Logs', 'Properties.LogGroupName.Fn::Sub', 'sub-reference', '${Stage}: "Stage" is no resource, parameter or pseudo parameter'),
    ],
    [
      'a Sub reference to a missing attribute',
      (t) => (resources(t).Logs.Properties.LogGroupName = { 'Fn::Sub': '/${Queue.Name}' }),
      finding('Logs', 'Properties.LogGroupName.Fn::Sub', 'sub-reference', '${Queue.Name}: AWS::SQS::Queue has no attribute Name'),
    ],
    [
      'an Fn::If on a missing condition',
      (t) => (resources(t).Topic.Properties.DisplayName['Fn::If'][0] = 'Private'),
      finding('Topic', 'Properties.DisplayName.Fn::If[0]', 'condition', '"Private" is not a condition of the template'),
    ],
    [
      'a DependsOn on a missing resource',
      (t) => (resources(t).Subscription.DependsOn = ['Queue', 'Table']),
      finding('Subscription', 'DependsOn', 'depends-on', '"Table" is not another resource of the template'),
    ],
    [
      'a DependsOn on the resource itself',
      (t) => (resources(t).Subscription.DependsOn = 'Subscription'),
      finding('Subscription', 'DependsOn', 'depends-on', '"Subscription" is not another resource of the template'),
    ],
    [
      'an unknown DeletionPolicy',
      (t) => (resources(t).Queue.DeletionPolicy = 'Keep'),
      finding('Queue', 'DeletionPolicy', 'resource-attribute', '"Keep" is not one of Delete, Retain, Snapshot, RetainExceptOnCreate'),
    ],
    [
      'an UpdateReplacePolicy only DeletionPolicy allows',
      (t) => (resources(t).Queue.UpdateReplacePolicy = 'RetainExceptOnCreate'),
      finding('Queue', 'UpdateReplacePolicy', 'resource-attribute', '"RetainExceptOnCreate" is not one of Delete, Retain, Snapshot'),
    ],
    [
      'a resource on a missing condition',
      (t) => (resources(t).QueuePolicy.Condition = 'Private'),
      finding('QueuePolicy', 'Condition', 'condition', '"Private" is not a condition of the template'),
    ],
    [
      'an unknown resource attribute',
      (t) => (resources(t).Queue.DependOn = 'Topic'),
      finding('Queue', 'DependOn', 'resource-attribute', 'DependOn is not a resource attribute'),
    ],
    [
      'an output with a Ref to nothing',
      (t) => (t.Outputs = { TopicArn: { Value: { Ref: 'Topics' } } }),
      { ...finding('TopicArn', 'Value.Ref', 'ref-target', '"Topics" is no resource, parameter or pseudo parameter'), section: 'Outputs' },
    ],
    [
      'an output with an export named after nothing',
      (t) => (t.Outputs = { TopicArn: { Value: { Ref: 'Topic' }, Export: { Name: { 'Fn::Sub': '${Stack}-topic' } } } }),
      {
        ...finding('TopicArn', 'Export.Name.Fn::Sub', 'sub-reference', '${Stack}: "Stack" is no resource, parameter or pseudo parameter'),
        section: 'Outputs',
      },
    ],
    [
      'an output on a missing condition',
      (t) => (t.Outputs = { TopicArn: { Value: { Ref: 'Topic' }, Condition: 'Private' } }),
      { ...finding('TopicArn', 'Condition', 'condition', '"Private" is not a condition of the template'), section: 'Outputs' },
    ],
  ])('finds %s', (_, breakRule, expected) => {
    const template = valid();
    breakRule(template);
    expect(checkTemplate(template)).toEqual([expected]);
  });

  test('accepts what CloudFormation converts: numbers and booleans as text, numbers and booleans written as text', () => {
    const template = valid();
    Object.assign(resources(template).Queue.Properties, {
      VisibilityTimeout: '60',
      QueueName: 2024,
      Tags: [{ Key: 'public', Value: true }],
    });
    Object.assign(resources(template).Subscription.Properties, { RawMessageDelivery: 'false' });
    Object.assign(resources(template).Alarm.Properties, { Threshold: '0.5', ActionsEnabled: 'True' });
    expect(checkTemplate(template)).toEqual([]);
  });
});
