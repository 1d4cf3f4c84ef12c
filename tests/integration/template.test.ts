import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { packagedStack, type PackagedStack, getAtt, ref, templateLookups } from '../helpers/packaged-stack';
import { DEFINITION_FILE, renderDefinition } from './workflow/local-state-machine';
import { REPO_ROOT } from '../helpers/cli';

jest.setTimeout(120_000);

/** asl-validator 4 ships no types; it mutates its input (pass a copy). */
const aslValidator = require('asl-validator') as (definition: unknown) => { isValid: boolean; errorsText(): string };

type Json = Record<string, any>;

let work: string;
let template: PackagedStack['template'];
let definition: Json;

beforeAll(async () => {
  ({ dir: work, template } = await packagedStack());
  definition = renderedDefinition();
});

const resource = (id: string) => templateLookups(template).resource(id);
const ofType = (type: string) => templateLookups(template).ofType(type);

/** A state machine's definition: the Fn::Sub string with the function ARNs put back as Fn::GetAtt objects. */
function renderedDefinition(id = 'IndexVideoStateMachine'): Json {
  const [text, variables] = resource(id).Properties.DefinitionString['Fn::Sub'] as [string, Json];
  const placeholders = Object.fromEntries(Object.entries(variables).map(([name, value]) => [`\${${name}}`, value]));
  return JSON.parse(text, (_, value) => (typeof value === 'string' && value in placeholders ? placeholders[value] : value));
}

/** A function role's statements, without the log-group one every function gets. */
function statements(functionName: string): Json[] {
  const role = resource(`${functionName}IamRoleLambdaExecution`);
  const all: Json[] = role.Properties.Policies.flatMap((policy: Json) => policy.PolicyDocument.Statement);
  return all.filter((statement) => ![statement.Action].flat().every((action: string) => action.startsWith('logs:')));
}

const allow = (Action: string | string[], Resource: unknown, extra: Json = {}) => ({
  Effect: 'Allow',
  Action: [Action].flat(),
  Resource,
  ...extra,
});
const objects = (prefix: string) => ({ 'Fn::Sub': `\${VideosBucket.Arn}/${prefix}*` });

describe('the state machine', () => {
  test('its definition passes asl-validator, as written and as packaged', () => {
    const source = renderDefinition(parse(readFileSync(DEFINITION_FILE, 'utf8')), { jobTimeoutSeconds: 28800 });
    for (const candidate of [source, definition]) {
      const result = aslValidator(JSON.parse(JSON.stringify(candidate)));
      expect(result.errorsText()).toBe('');
      expect(result.isValid).toBe(true);
    }
  });

  test('tasks invoke the pipeline functions; job waits use task tokens with the stage timeout; every task has a Catch', () => {
    const states: Json = { ...definition.States, ...definition.States.EmbedOtherChunks.ItemProcessor.States };
    expect(states.Register.Resource).toEqual(getAtt('RegisterVideoLambdaFunction'));
    for (const name of ['EmbedFirstChunk', 'EmbedChunk']) {
      expect(states[name]).toMatchObject({
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: { FunctionName: getAtt('SubmitJobLambdaFunction'), Payload: { 'token.$': '$$.Task.Token' } },
        TimeoutSeconds: 28800,
      });
    }
    expect(definition.States.EmbedOtherChunks).toMatchObject({ Type: 'Map', ItemsPath: '$.plan.pending' });
    const tasks = Object.entries(definition.States as Json).filter(([, state]) => state.Type === 'Task' || state.Type === 'Map');
    for (const [name, state] of tasks) expect({ name, catches: state.Catch?.length > 0 }).toEqual({ name, catches: true });
    expect(resource('IndexVideoStateMachine').Properties.RoleArn).toEqual(getAtt('IndexVideoStateMachineRole'));
  });

  test('its role may invoke exactly the task functions', () => {
    const [policy] = resource('IndexVideoStateMachineRole').Properties.Policies;
    expect(policy.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: ['RegisterVideo', 'SubmitJob', 'PlanVideo', 'IngestFrames', 'MarkVideo'].map((f) => getAtt(`${f}LambdaFunction`)),
      },
    ]);
  });

  // The starter function, its role, retries and dead letters: template-edge.test.ts.
  test('the bucket\'s "Object Created" events under videos/ start it through the starter function', () => {
    const rules = ofType('AWS::Events::Rule')
      .map(([, rule]) => rule.Properties)
      .filter((rule) => rule.EventPattern);
    const created = rules.find((rule) => rule.EventPattern['detail-type'][0] === 'Object Created')!;
    expect(created.EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: [ref('VideosBucket')] }, object: { key: [{ prefix: 'videos/' }] } },
    });
    expect(created.Targets).toEqual([expect.objectContaining({ Arn: getAtt('StartIndexingLambdaFunction') })]);

    // S3's EventBridge name for a deletion is "Object Deleted" (AWS's S3 EventBridge event list); "Object Removed", the
    // notification-style name, matches nothing.
    const removed = rules.find((rule) => rule.EventPattern['detail-type'][0] === 'Object Deleted')!;
    expect(removed.EventPattern.detail).toEqual(created.EventPattern.detail);
    expect(removed.Targets).toEqual([expect.objectContaining({ Arn: getAtt('RemoveVideoLambdaFunction') })]);
  });
});

describe('the re-ingest state machine', () => {
  const reingest = () => renderedDefinition('ReingestVideosStateMachine');

  test('its definition passes asl-validator, as written and as packaged', () => {
    const file = path.join(REPO_ROOT, 'statemachines', 'reingest-videos.asl.yml');
    const source = renderDefinition(parse(readFileSync(file, 'utf8')), { jobTimeoutSeconds: 28800 });
    for (const candidate of [source, reingest()]) {
      const result = aslValidator(JSON.parse(JSON.stringify(candidate)));
      expect(result.errorsText()).toBe('');
      expect(result.isValid).toBe(true);
    }
  });

  test('pages of videos through the ingest and mark functions of the indexing workflow, its role invoking exactly those', () => {
    const definition = reingest();
    const states: Json = { ...definition.States, ...definition.States.ReingestPage.ItemProcessor.States };
    expect(states.PlanPage.Resource).toEqual(getAtt('PlanReingestLambdaFunction'));
    expect(states.Ingest.Resource).toEqual(getAtt('IngestFramesLambdaFunction'));
    expect(states.MarkReady.Resource).toEqual(getAtt('MarkVideoLambdaFunction'));
    for (const name of ['Ingest', 'MarkReady']) expect(states[name].Catch).toEqual([expect.objectContaining({ Next: 'NotReingested' })]);
    expect(resource('ReingestVideosStateMachine').Properties.RoleArn).toEqual(getAtt('ReingestVideosStateMachineRole'));
    const [policy] = resource('ReingestVideosStateMachineRole').Properties.Policies;
    expect(policy.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: ['PlanReingest', 'IngestFrames', 'MarkVideo'].map((f) => getAtt(`${f}LambdaFunction`)),
      },
    ]);
    // The ARN to start it with (README "If something breaks"), a stack output the plugin adds.
    expect(template.Outputs?.ReingestVideosStateMachineArn).toMatchObject({ Value: ref('ReingestVideosStateMachine') });
  });
});

describe('the functions', () => {
  test('run on nodejs22.x, each with its own role', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual(
      [
        'EmptyBucket',
        'FramesIndex',
        'IngestFrames',
        'JobCallback',
        'MarkVideo',
        'PlanReingest',
        'PlanVideo',
        'ReconcileJobs',
        'RegisterVideo',
        'RemoveVideo',
        'Search',
        'StartIndexing',
        'SubmitJob',
      ].map(
        (f) => `${f}LambdaFunction`,
      ),
    );
    for (const [id, fn] of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Role).toEqual(getAtt(id.replace('LambdaFunction', 'IamRoleLambdaExecution')));
    }
  });

  test('the functions that write, remove or search what is said know the transcripts index', () => {
    for (const fn of ['IngestFrames', 'RemoveVideo', 'Search']) {
      const variables = resource(`${fn}LambdaFunction`).Properties.Environment.Variables;
      expect([fn, variables.TRANSCRIPTS_INDEX, variables.FRAMES_INDEX]).toEqual([fn, 'transcripts', 'frames']);
    }
  });

  test("each role's statements are limited to the resources that function uses", () => {
    const videos = getAtt('VideosTable');
    const tasks = getAtt('TasksTable');
    const collection = getAtt('FramesCollection');
    expect(statements('RegisterVideo')).toEqual([
      allow(['dynamodb:GetItem', 'dynamodb:PutItem'], videos),
      allow(['s3:GetObject', 's3:GetObjectVersion'], objects('videos/')),
      allow('s3:ListBucket', getAtt('VideosBucket'), { Condition: { StringLike: { 's3:prefix': 'videos/*' } } }),
    ]);
    expect(statements('SubmitJob')).toEqual([
      allow(['dynamodb:GetItem', 'dynamodb:UpdateItem'], videos),
      allow(['dynamodb:PutItem', 'dynamodb:UpdateItem'], tasks),
      allow('s3:PutObject', objects('jobs/')),
      allow('sagemaker:InvokeEndpointAsync', ref('AsyncEndpoint')),
    ]);
    expect(statements('JobCallback')).toEqual([
      allow(['dynamodb:GetItem', 'dynamodb:DeleteItem'], tasks),
      allow(['states:SendTaskSuccess', 'states:SendTaskFailure'], ref('IndexVideoStateMachine')),
      allow('sqs:SendMessage', getAtt('JobCallbackFailuresQueue')),
    ]);
    expect(statements('PlanVideo')).toEqual([allow('s3:GetObject', objects('embeddings/'))]);
    expect(statements('IngestFrames')).toEqual([
      allow('dynamodb:GetItem', videos),
      allow('s3:GetObject', objects('embeddings/')),
      allow('aoss:APIAccessAll', collection),
    ]);
    expect(statements('MarkVideo')).toEqual([allow(['dynamodb:GetItem', 'dynamodb:UpdateItem'], videos)]);
    expect(statements('PlanReingest')).toEqual([allow(['dynamodb:GetItem', 'dynamodb:Scan'], videos)]);
    expect(statements('RemoveVideo')).toEqual([
      allow(['dynamodb:GetItem', 'dynamodb:UpdateItem'], videos),
      allow('aoss:APIAccessAll', collection),
      allow('s3:ListBucket', getAtt('VideosBucket'), { Condition: { StringLike: { 's3:prefix': 'thumbnails/*' } } }),
      allow('s3:DeleteObject', objects('thumbnails/')),
      allow('sqs:SendMessage', getAtt('RemovalFailuresQueue')),
    ]);
    expect(statements('FramesIndex')).toEqual([allow('aoss:APIAccessAll', collection)]);
    expect(statements('Search')).toEqual([
      // DynamoDB authorises BatchGetItem as its own action (the search's getMany), not through GetItem.
      allow(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Scan'], videos),
      allow('sagemaker:InvokeEndpoint', ref('QueryEndpoint')),
      allow(['s3:GetObject', 's3:GetObjectVersion'], objects('videos/')),
      allow('s3:GetObject', objects('thumbnails/')),
      allow('aoss:APIAccessAll', collection),
    ]);
  });

  test('only the functions that reach the collection run in the VPC', () => {
    const inVpc = ofType('AWS::Lambda::Function')
      .filter(([, fn]) => fn.Properties.VpcConfig)
      .map(([id]) => id);
    expect(inVpc.sort()).toEqual(['FramesIndexLambdaFunction', 'IngestFramesLambdaFunction', 'RemoveVideoLambdaFunction', 'SearchLambdaFunction']);
    // No NAT: the search function reaches the query endpoint through an interface endpoint.
    expect(resource('SageMakerRuntimeEndpoint').Properties).toMatchObject({ VpcEndpointType: 'Interface', PrivateDnsEnabled: true });
  });

  test('the job callback is subscribed to the success and error topics', () => {
    const topics = ofType('AWS::SNS::Subscription').map(([, s]) => [s.Properties.TopicArn, s.Properties.Endpoint]);
    expect(topics).toEqual([
      [ref('JobSucceededTopic'), getAtt('JobCallbackLambdaFunction')],
      [ref('JobFailedTopic'), getAtt('JobCallbackLambdaFunction')],
    ]);
  });
});

describe('the videos bucket', () => {
  test('is versioned, encrypted, private, and sends its events to EventBridge', () => {
    expect(resource('VideosBucket').Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
  });

  test('refuses every request without TLS', () => {
    const policy = resource('VideosBucketPolicy').Properties;
    expect(policy.Bucket).toEqual(ref('VideosBucket'));
    expect(policy.PolicyDocument.Statement).toContainEqual({
      Sid: 'TlsOnly',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [getAtt('VideosBucket'), { 'Fn::Sub': '${VideosBucket.Arn}/*' }],
      Condition: { Bool: { 'aws:SecureTransport': false } },
    });
  });
});

describe('OpenSearch Serverless', () => {
  // Policies are JSON text; the `${…}` CloudFormation substitutes sit inside its strings.
  const policy = (text: string) => JSON.parse(text);

  test('a vector collection created after its encryption policy', () => {
    const collection = resource('FramesCollection');
    expect(collection.Properties).toMatchObject({ Name: 'vsearch-ci', Type: 'VECTORSEARCH' });
    expect(collection.DependsOn).toContain('FramesEncryptionPolicy');
    const encryption = resource('FramesEncryptionPolicy').Properties;
    expect(encryption.Type).toBe('encryption');
    expect(policy(encryption.Policy)).toEqual({
      Rules: [{ ResourceType: 'collection', Resource: ['collection/vsearch-ci'] }],
      AWSOwnedKey: true,
    });
  });

  test('network access only through the stack\'s VPC endpoint unless publicCollection is set', () => {
    expect(template.Conditions?.PublicCollection).toEqual({ 'Fn::Equals': ['false', 'true'] });
    const network = resource('FramesNetworkPolicy').Properties;
    expect(network.Type).toBe('network');
    const [condition, publicPolicy, privatePolicy] = network.Policy['Fn::If'];
    expect(condition).toBe('PublicCollection');
    expect(policy(publicPolicy)).toEqual([
      { Rules: [{ ResourceType: 'collection', Resource: ['collection/vsearch-ci'] }], AllowFromPublic: true },
    ]);
    expect(policy(privatePolicy['Fn::Sub'])).toEqual([
      {
        Rules: [{ ResourceType: 'collection', Resource: ['collection/vsearch-ci'] }],
        AllowFromPublic: false,
        SourceVPCEs: ['${FramesVpcEndpoint}'],
      },
    ]);
  });

  test('data access for exactly the roles that read or write frames and transcripts, each with what it uses, on those two indexes', () => {
    // The frames index and the transcripts index, not every index of the collection.
    const indexes = ['index/vsearch-ci/frames', 'index/vsearch-ci/transcripts'];
    const access = resource('FramesAccessPolicy').Properties;
    expect(access.Type).toBe('data');
    const [text, principals] = access.Policy['Fn::Sub'];
    expect(principals).toEqual({
      Ingest: getAtt('IngestFramesIamRoleLambdaExecution'),
      Remove: getAtt('RemoveVideoIamRoleLambdaExecution'),
      CreateIndex: getAtt('FramesIndexIamRoleLambdaExecution'),
      Search: getAtt('SearchIamRoleLambdaExecution'),
    });
    const rules = policy(text).map((rule: Json) => [rule.Principal, rule.Rules]);
    expect(rules).toEqual([
      [
        ['${Ingest}', '${Remove}'],
        [
          {
            ResourceType: 'index',
            Resource: indexes,
            Permission: ['aoss:DescribeIndex', 'aoss:ReadDocument', 'aoss:WriteDocument'],
          },
        ],
      ],
      [['${Search}'], [{ ResourceType: 'index', Resource: indexes, Permission: ['aoss:DescribeIndex', 'aoss:ReadDocument'] }]],
      [['${CreateIndex}'], [{ ResourceType: 'index', Resource: indexes, Permission: ['aoss:CreateIndex', 'aoss:DescribeIndex'] }]],
    ]);
  });

  test('the frames and transcripts indexes are created at deploy time by the custom resource, with the stage dimension', () => {
    expect(resource('FramesIndex')).toMatchObject({
      Type: 'Custom::FramesIndex',
      Properties: { ServiceToken: getAtt('FramesIndexLambdaFunction'), Index: 'frames', Dimension: 512, TranscriptsIndex: 'transcripts' },
      DependsOn: expect.arrayContaining(['FramesAccessPolicy', 'FramesNetworkPolicy']),
    });
  });
});

describe('SageMaker', () => {
  test('the async endpoint writes results to S3 and notifies the success and error topics', () => {
    expect(resource('AsyncEndpointConfig').Properties.AsyncInferenceConfig).toEqual({
      ClientConfig: { MaxConcurrentInvocationsPerInstance: 2 },
      OutputConfig: {
        S3OutputPath: { 'Fn::Sub': 's3://${VideosBucket}/embeddings/' },
        S3FailurePath: { 'Fn::Sub': 's3://${VideosBucket}/failures/' },
        NotificationConfig: { SuccessTopic: ref('JobSucceededTopic'), ErrorTopic: ref('JobFailedTopic') },
      },
    });
    const statementsBySid = Object.fromEntries(
      resource('SageMakerExecutionRole').Properties.Policies[0].PolicyDocument.Statement.map((s: Json) => [s.Sid, s]),
    );
    expect(statementsBySid.Notify).toMatchObject({ Action: 'sns:Publish', Resource: [ref('JobSucceededTopic'), ref('JobFailedTopic')] });
    expect(statementsBySid.WriteResults.Resource).toEqual([objects('embeddings/'), objects('failures/'), objects('thumbnails/')]);
    // Subtitle sidecars are read beside the video: a missing one must read as 404, which takes ListBucket on the prefix.
    expect(statementsBySid.FindSidecars).toMatchObject({
      Action: 's3:ListBucket',
      Resource: getAtt('VideosBucket'),
      Condition: { StringLike: { 's3:prefix': 'videos/*' } },
    });
  });

  test('it scales to zero by backlog and wakes on HasBacklogWithoutCapacity', () => {
    expect(resource('AsyncScalableTarget').Properties).toMatchObject({
      ServiceNamespace: 'sagemaker',
      ResourceId: { 'Fn::Sub': 'endpoint/${AsyncEndpoint.EndpointName}/variant/AllTraffic' },
      ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      MinCapacity: 0,
    });
    expect(resource('AsyncBacklogTracking').Properties).toMatchObject({
      PolicyType: 'TargetTrackingScaling',
      ScalingTargetId: ref('AsyncScalableTarget'),
      TargetTrackingScalingPolicyConfiguration: { CustomizedMetricSpecification: { MetricName: 'ApproximateBacklogSizePerInstance' } },
    });
    expect(resource('AsyncWakeFromZero').Properties).toMatchObject({
      PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: { AdjustmentType: 'ChangeInCapacity', StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }] },
    });
    expect(resource('AsyncHasBacklogWithoutCapacity').Properties).toMatchObject({
      Namespace: 'AWS/SageMaker',
      MetricName: 'HasBacklogWithoutCapacity',
      Dimensions: [{ Name: 'EndpointName', Value: getAtt('AsyncEndpoint', 'EndpointName') }],
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      AlarmActions: [ref('AsyncWakeFromZero')],
    });
  });

  test('a serverless real-time endpoint answers queries', () => {
    const [variant] = resource('QueryEndpointConfig').Properties.ProductionVariants;
    expect(variant).toMatchObject({ ModelName: getAtt('EmbedderCpuModel', 'ModelName'), ServerlessConfig: { MemorySizeInMB: 4096 } });
  });
});

describe('the search API', () => {
  const methods = () =>
    ofType('AWS::ApiGateway::Method')
      .filter(([, m]) => m.Properties.HttpMethod !== 'OPTIONS')
      .map(([id, m]) => [id, m.Properties.HttpMethod, m.Properties.AuthorizationType, m.Properties.ApiKeyRequired]);

  test('REST routes go to the search function and need an API key (the default auth)', () => {
    expect(methods().sort()).toEqual([
      ['ApiGatewayMethodSearchPost', 'POST', 'NONE', true],
      ['ApiGatewayMethodTimelinePost', 'POST', 'NONE', true],
      ['ApiGatewayMethodVideosGet', 'GET', 'NONE', true],
      ['ApiGatewayMethodVideosIdVarGet', 'GET', 'NONE', true],
    ]);
    for (const [id] of methods()) {
      expect(JSON.stringify(resource(String(id)).Properties.Integration.Uri)).toContain('SearchLambdaFunction');
    }
    expect(ofType('AWS::ApiGateway::UsagePlanKey')).toHaveLength(1);
  });

  test('CORS preflight answers for every route', () => {
    const preflights = ofType('AWS::ApiGateway::Method').filter(([, m]) => m.Properties.HttpMethod === 'OPTIONS');
    expect(preflights).toHaveLength(4);
    for (const [, m] of preflights) {
      const headers = m.Properties.Integration.IntegrationResponses[0].ResponseParameters;
      expect(headers['method.response.header.Access-Control-Allow-Headers']).toContain('X-Api-Key');
    }
  });

  test('AppSync serves the schema with API key and IAM auth; every Query field resolves directly to the search function', () => {
    const api = resource('GraphQlApi').Properties;
    expect(api.AuthenticationType).toBe('API_KEY');
    expect(api.AdditionalAuthenticationProviders).toEqual([{ AuthenticationType: 'AWS_IAM' }]);
    expect(resource('GraphQlSchema').Properties.Definition).toContain('search(input: SearchInput!): SearchResult!');
    const source = resource('GraphQlDssearch').Properties;
    expect(source.Type).toBe('AWS_LAMBDA');
    expect(JSON.stringify(source.LambdaConfig)).toContain('SearchLambdaFunction');
    const resolvers = ofType('AWS::AppSync::Resolver').map(([, r]) => [r.Properties.TypeName, r.Properties.FieldName, r.Properties.Kind]);
    expect(resolvers.sort()).toEqual([
      ['Query', 'search', 'UNIT'],
      ['Query', 'timeline', 'UNIT'],
      ['Query', 'video', 'UNIT'],
      ['Query', 'videos', 'UNIT'],
    ]);
    for (const [, r] of ofType('AWS::AppSync::Resolver')) {
      expect(r.Properties).not.toHaveProperty('RequestMappingTemplate');
      expect(r.Properties).not.toHaveProperty('Code');
    }
  });

  test('the search bundle carries no model runtime (no sharp, onnxruntime, transformers or LanceDB)', async () => {
    const { stdout } = await promisify(execFile)('unzip', ['-p', path.join(work, 'search.zip'), 'functions/search/handler.js'], {
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(stdout.length).toBeGreaterThan(1000);
    expect(stdout).not.toMatch(/@img\/sharp-|onnxruntime-node|@huggingface\/transformers|@lancedb\/lancedb/);
  });
});
