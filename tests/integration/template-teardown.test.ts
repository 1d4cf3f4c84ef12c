import { packagedStack, roleStatements, type PackagedStack, getAtt, ref } from '../helpers/packaged-stack';

/**
 * The packaged template's answers to two field problems (issue 12): a job notification lost past Lambda's retries
 * (the callback's on-failure queue, its alarm, the scheduled reconciler), and `sls remove` (the videos bucket
 * emptied or kept, custom resources that cannot hang the stack and can always answer CloudFormation).
 */

jest.setTimeout(120_000);

type Json = Record<string, any>;

let template: PackagedStack['template'];
let retained: PackagedStack['template'];

beforeAll(async () => {
  // One after the other: two packagings of one checkout at once share serverless-esbuild's build folder.
  ({ template } = await packagedStack());
  ({ template: retained } = await packagedStack({ retainVideos: 'true' }));
});

const resource = (id: string, of = template) => {
  const found = of.Resources[id];
  if (!found) throw new Error(`no resource ${id} in the template`);
  return found;
};
const allow = (Action: string | string[], Resource: unknown, extra: Json = {}) => ({ Effect: 'Allow', Action: [Action].flat(), Resource, ...extra });
const functionOf = (customResource: string) => resource(customResource).Properties.ServiceToken['Fn::GetAtt'][0] as string;

describe('a lost job notification', () => {
  test("the job callback's events that still fail after Lambda's two retries go to a queue, instead of being dropped", () => {
    // Lambda: an asynchronous invocation (SNS → Lambda) is retried twice, then dropped unless it has a destination.
    expect(resource('JobCallbackFailureDestination')).toMatchObject({
      Type: 'AWS::Lambda::EventInvokeConfig',
      Properties: {
        FunctionName: ref('JobCallbackLambdaFunction'),
        Qualifier: '$LATEST',
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: getAtt('JobCallbackFailuresQueue') } },
      },
    });
    expect(resource('JobCallbackFailuresQueue')).toMatchObject({
      Type: 'AWS::SQS::Queue',
      Properties: { MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true },
    });
    // Lambda sends to the destination with the function's own role.
    expect(roleStatements(template, 'JobCallback')).toContainEqual(allow('sqs:SendMessage', getAtt('JobCallbackFailuresQueue')));
  });

  test('an alarm goes off as soon as a message waits in that queue', () => {
    expect(resource('JobCallbackFailuresAlarm')).toMatchObject({
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: getAtt('JobCallbackFailuresQueue', 'QueueName') }],
        Statistic: 'Maximum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      },
    });
  });

  test('the reconciler runs every 15 minutes, outside the VPC, on the task-token table', () => {
    const schedules = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule' && r.Properties.ScheduleExpression);
    expect(schedules.map((rule) => rule.Properties)).toEqual([
      expect.objectContaining({ ScheduleExpression: 'rate(15 minutes)', State: 'ENABLED', Targets: [expect.objectContaining({ Arn: getAtt('ReconcileJobsLambdaFunction') })] }),
    ]);
    const fn = resource('ReconcileJobsLambdaFunction').Properties;
    expect(fn.Environment.Variables.TASKS_TABLE).toEqual(ref('TasksTable'));
    expect(fn.VpcConfig).toBeUndefined();
  });

  test("the reconciler's role: scan and delete tokens, see whether job objects exist, read failures, answer the tasks", () => {
    expect(roleStatements(template, 'ReconcileJobs')).toEqual([
      allow(['dynamodb:Scan', 'dynamodb:DeleteItem'], getAtt('TasksTable')),
      allow('s3:ListBucket', getAtt('VideosBucket'), { Condition: { StringLike: { 's3:prefix': ['embeddings/*', 'failures/*'] } } }),
      allow('s3:GetObject', { 'Fn::Sub': '${VideosBucket.Arn}/failures/*' }),
      allow(['states:SendTaskSuccess', 'states:SendTaskFailure'], ref('IndexVideoStateMachine')),
    ]);
  });
});

describe('removing the stack', () => {
  test('the videos bucket is deleted with the stack, after a custom resource has emptied it', () => {
    // CloudFormation deletes only empty buckets; a versioned bucket is empty once every version and delete marker is gone.
    expect(resource('VideosBucket')).toMatchObject({
      DeletionPolicy: 'Delete',
      Properties: { VersioningConfiguration: { Status: 'Enabled' }, Tags: [{ Key: 'empty-on-stack-delete', Value: 'true' }] },
    });
    // Its Ref makes the emptier depend on the bucket: deleted (and emptying) before the bucket.
    expect(resource('VideosBucketEmptier')).toMatchObject({
      Type: 'Custom::EmptyBucketOnDelete',
      Properties: { ServiceToken: getAtt('EmptyBucketLambdaFunction'), Bucket: ref('VideosBucket') },
    });
    // Outside the VPC: its S3 calls and its answer to CloudFormation go straight to S3.
    expect(resource('EmptyBucketLambdaFunction').Properties.VpcConfig).toBeUndefined();
  });

  test("the emptier's role may read the bucket's tags, list its versions and delete versions in it, nothing else", () => {
    expect(roleStatements(template, 'EmptyBucket')).toEqual([
      allow(['s3:GetBucketTagging', 's3:ListBucketVersions'], getAtt('VideosBucket')),
      allow('s3:DeleteObjectVersion', { 'Fn::Sub': '${VideosBucket.Arn}/*' }),
    ]);
  });

  test("every custom resource gives up a minute after its function's timeout, not after CloudFormation's hour", () => {
    const custom = Object.entries(template.Resources).filter(([, r]) => r.Type.startsWith('Custom::'));
    expect(custom.map(([id]) => id).sort()).toEqual(['FramesIndex', 'VideosBucketEmptier']);
    for (const [id, customResource] of custom) {
      const timeout = resource(functionOf(id)).Properties.Timeout;
      expect({ id, serviceTimeout: customResource.Properties.ServiceTimeout }).toEqual({ id, serviceTimeout: timeout + 60 });
    }
    expect(resource('FramesIndex').Properties.ServiceTimeout).toBe(360);
    expect(resource('VideosBucketEmptier').Properties.ServiceTimeout).toBe(960);
  });

  test('the frames index resource, whose function runs in the private subnets, depends on their path to S3', () => {
    // A Lambda-backed custom resource answers through a presigned S3 URL: until its Delete has answered, the S3
    // gateway endpoint and the routes of the subnets the function runs in must stay (DependsOn orders deletion too).
    const { SubnetIds } = resource('FramesIndexLambdaFunction').Properties.VpcConfig;
    const routes = Object.entries(template.Resources).filter(
      ([, r]) => r.Type === 'AWS::EC2::SubnetRouteTableAssociation' && SubnetIds.some((subnet: Json) => subnet.Ref === r.Properties.SubnetId.Ref),
    );
    expect(routes).toHaveLength(SubnetIds.length);
    const gateway = resource('S3GatewayEndpoint').Properties;
    expect(gateway).toMatchObject({ VpcEndpointType: 'Gateway', ServiceName: { 'Fn::Sub': 'com.amazonaws.${AWS::Region}.s3' } });
    for (const [, association] of routes) expect(gateway.RouteTableIds).toContainEqual(association.Properties.RouteTableId);
    expect(resource('FramesIndex').DependsOn).toEqual(expect.arrayContaining(['S3GatewayEndpoint', ...routes.map(([id]) => id)]));
  });

  test('every function log group is a stack resource, removed with it', () => {
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    const logGroups = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::Logs::LogGroup')
      .map((r) => r.Properties.LogGroupName);
    for (const fn of functions) expect(logGroups).toContain(`/aws/lambda/${fn.Properties.FunctionName}`);
  });

  test('retainVideos=true: the bucket is kept with its contents, and nothing of the emptier is packaged', () => {
    expect(resource('VideosBucket', retained)).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { Tags: [{ Key: 'empty-on-stack-delete', Value: 'false' }] },
    });
    expect(Object.keys(retained.Resources).filter((id) => /EmptyBucket|Emptier/.test(id))).toEqual([]);
    expect(Object.keys(template.Resources).filter((id) => /EmptyBucket|Emptier/.test(id)).sort()).toEqual([
      'EmptyBucketIamRoleLambdaExecution',
      'EmptyBucketLambdaFunction',
      'EmptyBucketLogGroup',
      'VideosBucketEmptier',
    ]);
  });
});
