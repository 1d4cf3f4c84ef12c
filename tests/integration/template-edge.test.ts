import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { searchInputSchema } from '../../lib/api/search-input';
import { timelineInputSchema } from '../../lib/api/timeline-api';
import { packagedStack, type PackagedStack, getAtt, ref, templateLookups } from '../helpers/packaged-stack';

jest.setTimeout(120_000);

type Json = Record<string, any>;

let template: PackagedStack['template'];

beforeAll(async () => {
  ({ template } = await packagedStack());
});

const resource = (id: string) => templateLookups(template).resource(id);
const ofType = (type: string) => templateLookups(template).ofType(type);

/**
 * What AppSync defines itself around an uploaded schema: its scalars, and its auth directives, which it allows on
 * object types and fields only (AppSync developer guide, "Authorization and authentication"; the same list
 * serverless-appsync-plugin validates with).
 */
const APPSYNC_PRELUDE = `
  directive @aws_api_key on OBJECT | FIELD_DEFINITION
  directive @aws_iam on OBJECT | FIELD_DEFINITION
  directive @aws_oidc on OBJECT | FIELD_DEFINITION
  directive @aws_lambda on OBJECT | FIELD_DEFINITION
  directive @aws_cognito_user_pools(cognito_groups: [String]) on OBJECT | FIELD_DEFINITION
  scalar AWSDate
  scalar AWSTime
  scalar AWSDateTime
  scalar AWSTimestamp
  scalar AWSEmail
  scalar AWSJSON
  scalar AWSURL
  scalar AWSPhone
  scalar AWSIPAddress
`;

/** The directive that opens a type or field to callers of each AppSync authentication type. */
const AUTH_DIRECTIVES: Record<string, string> = {
  API_KEY: 'aws_api_key',
  AWS_IAM: 'aws_iam',
  OPENID_CONNECT: 'aws_oidc',
  AWS_LAMBDA: 'aws_lambda',
  AMAZON_COGNITO_USER_POOLS: 'aws_cognito_user_pools',
};

describe('AppSync', () => {
  const api = () => resource('GraphQlApi').Properties;
  const schemaText = () => resource('GraphQlSchema').Properties.Definition as string;
  /** The directives every reachable type and field needs: one per mode the packaged API is configured with. */
  const requiredDirectives = () => {
    const modes: string[] = [api().AuthenticationType, ...(api().AdditionalAuthenticationProviders ?? []).map((p: Json) => p.AuthenticationType)];
    return modes.map((mode) => {
      if (!(mode in AUTH_DIRECTIVES)) throw new Error(`no directive known for the auth mode ${mode}`);
      return AUTH_DIRECTIVES[mode];
    });
  };

  test('the packaged schema is valid against what AppSync provides (AWSDateTime and its directives), no more', () => {
    expect(() => buildSchema(APPSYNC_PRELUDE + schemaText())).not.toThrow();
    expect(() => buildSchema(schemaText())).toThrow(/AWSDateTime|aws_/);
  });

  // With a default auth mode plus additional modes, AppSync lets a type or field without directives be reached
  // through the default mode only: an IAM caller is refused on every field that lacks @aws_iam.
  test('every object type reachable from Query, and each of its fields, names every configured auth mode', () => {
    const directives = requiredDirectives();
    expect(directives.length).toBeGreaterThan(1);
    const schema = buildSchema(APPSYNC_PRELUDE + schemaText());
    expect(reachableTypes(schema).filter(isObjectType).map((type) => type.name).sort()).toEqual(
      ['Clip', 'Moment', 'Query', 'SearchResult', 'ShotBoundary', 'Shots', 'Smoothing', 'Speech', 'Timeline', 'TranscriptLine', 'Video', 'VideoList'],
    );
    expect(missingAuth(schema, directives)).toEqual([]);

    // The check sees one missing directive.
    const stripped = schemaText().replace(/(type Video @aws_api_key @aws_iam \{\s+id: ID!) @aws_api_key @aws_iam/, '$1 @aws_api_key');
    expect(stripped).not.toBe(schemaText());
    expect(missingAuth(buildSchema(APPSYNC_PRELUDE + stripped), directives)).toEqual(['Video.id: aws_iam']);
  });

  // One name per idea: GraphQL takes exactly the fields REST takes, nested ones (like's moment) included.
  test('the GraphQL inputs have the fields of the REST bodies', () => {
    const schema = buildSchema(APPSYNC_PRELUDE + schemaText());
    const fieldsOf = (name: string) => {
      const type = schema.getType(name);
      if (!isInputObjectType(type)) throw new Error(`${name} is not an input type`);
      return Object.keys(type.getFields()).sort();
    };
    const timeline = timelineInputSchema.shape;
    expect(fieldsOf('SearchInput')).toEqual(Object.keys(searchInputSchema.shape).sort());
    expect(fieldsOf('MomentInput')).toEqual(['end', 'start', 'videoId']);
    expect(fieldsOf('TimelineInput')).toEqual(Object.keys(timeline).sort());
    expect(fieldsOf('TimelineQueryInput')).toEqual(Object.keys(timeline.query.shape).sort());
    expect(fieldsOf('TimelineSearchInput')).toEqual(Object.keys(timeline.search.unwrap().shape).sort());
  });

  // AppSync's auth directives apply to OBJECT and FIELD_DEFINITION only: an input, enum or scalar with one is an
  // invalid schema, and an input's fields are authorised through the field that takes it.
  test('inputs and enums reachable from Query carry no directives, and would not be accepted with one', () => {
    const schema = buildSchema(APPSYNC_PRELUDE + schemaText());
    const others = reachableTypes(schema).filter((type) => isInputObjectType(type) || isEnumType(type));
    expect(others.map((type) => type.name).sort()).toEqual([
      'MatchSide',
      'MomentInput',
      'SearchInput',
      'SearchMode',
      'ShotBoundaryKind',
      'Snap',
      'SpeechSource',
      'TimelineInput',
      'TimelineQueryInput',
      'TimelineSearchInput',
      'VideoStatus',
    ]);
    for (const type of others) {
      const nodes = [type.astNode, ...(isInputObjectType(type) ? Object.values(type.getFields()).map((field) => field.astNode) : [])];
      expect({ type: type.name, directives: nodes.flatMap((node) => node?.directives ?? []).length }).toEqual({ type: type.name, directives: 0 });
    }
    expect(() => buildSchema(APPSYNC_PRELUDE + schemaText().replace('input SearchInput {', 'input SearchInput @aws_iam {'))).toThrow(
      /may not be used on INPUT_OBJECT/,
    );
  });
});

describe('starting the indexing workflow', () => {
  const createdRule = () => {
    const rules = ofType('AWS::Events::Rule').filter(([, rule]) => rule.Properties.EventPattern?.['detail-type']?.[0] === 'Object Created');
    expect(rules).toHaveLength(1);
    return rules[0][1].Properties;
  };

  // An EventBridge target that starts an execution itself cannot choose its name (the console would list UUIDs).
  test('the "Object Created" rule targets the starter function, retrying a refused delivery for a day, then dead-lettering it', () => {
    const rule = createdRule();
    expect(rule.EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: [ref('VideosBucket')] }, object: { key: [{ prefix: 'videos/' }] } },
    });
    expect(rule.Targets).toEqual([
      {
        Arn: getAtt('StartIndexingLambdaFunction'),
        Id: expect.any(String),
        RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
        DeadLetterConfig: { Arn: getAtt('IndexingStartFailuresQueue') },
      },
    ]);
    const targets = ofType('AWS::Events::Rule').flatMap(([, r]) => r.Properties.Targets.map((target: Json) => target.Arn));
    expect(targets).not.toContainEqual(ref('IndexVideoStateMachine'));
  });

  test('the starter may start executions of the state machine and send to its failure queue, nothing else', () => {
    const fn = resource('StartIndexingLambdaFunction').Properties;
    expect(fn.Environment.Variables.STATE_MACHINE_ARN).toEqual(ref('IndexVideoStateMachine'));
    expect(fn.VpcConfig).toBeUndefined();
    const role = resource('StartIndexingIamRoleLambdaExecution').Properties;
    const statements: Json[] = role.Policies.flatMap((policy: Json) => policy.PolicyDocument.Statement);
    expect(statements.filter((st) => ![st.Action].flat().every((action: string) => action.startsWith('logs:')))).toEqual([
      { Effect: 'Allow', Action: ['states:StartExecution'], Resource: ref('IndexVideoStateMachine') },
      { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: getAtt('IndexingStartFailuresQueue') },
    ]);
    // No other role may start the workflow (the rule no longer has one of its own).
    const starters = ofType('AWS::IAM::Role').filter(([, r]) => JSON.stringify(r.Properties.Policies ?? []).includes('states:StartExecution'));
    expect(starters.map(([id]) => id)).toEqual(['StartIndexingIamRoleLambdaExecution']);
  });

  // EventBridge invokes Lambda asynchronously: once Lambda has the event, a failing function is retried by Lambda
  // (twice at most), and the event is dropped then unless the function has an on-failure destination.
  test("the starter's own failures go to the same queue after Lambda's two retries", () => {
    const configs = ofType('AWS::Lambda::EventInvokeConfig').filter(([, c]) => JSON.stringify(c.Properties.FunctionName) === JSON.stringify(ref('StartIndexingLambdaFunction')));
    expect(configs.map(([, c]) => c.Properties)).toEqual([
      {
        FunctionName: ref('StartIndexingLambdaFunction'),
        Qualifier: '$LATEST',
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: getAtt('IndexingStartFailuresQueue') } },
      },
    ]);
    expect(resource('IndexingStartFailuresQueue').Properties).toMatchObject({ MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true });
  });

  // EventBridge delivers a target's dead letters only to a queue whose resource policy lets events.amazonaws.com send.
  test('EventBridge may send dead letters to the queue, for that rule only', () => {
    const policies = ofType('AWS::SQS::QueuePolicy').filter(([, p]) => JSON.stringify(p.Properties.Queues) === JSON.stringify([ref('IndexingStartFailuresQueue')]));
    expect(policies).toHaveLength(1);
    expect(policies[0][1].Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: getAtt('IndexingStartFailuresQueue'),
        Condition: {
          ArnEquals: { 'aws:SourceArn': { 'Fn::Sub': `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/${createdRule().Name}` } },
        },
      },
    ]);
  });
});

/** Every named type a query can reach from Query: return types, arguments and input fields, transitively. */
function reachableTypes(schema: GraphQLSchema): GraphQLNamedType[] {
  const seen = new Map<string, GraphQLNamedType>();
  const visit = (type: GraphQLNamedType) => {
    if (seen.has(type.name)) return;
    seen.set(type.name, type);
    if (isUnionType(type) || isInterfaceType(type)) throw new Error(`${type.name}: extend this walk to unions and interfaces`);
    if (isObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        visit(getNamedType(field.type));
        for (const arg of field.args) visit(getNamedType(arg.type));
      }
    }
    if (isInputObjectType(type)) for (const field of Object.values(type.getFields())) visit(getNamedType(field.type));
  };
  visit(schema.getQueryType()!);
  return [...seen.values()];
}

/** `Type: directive` and `Type.field: directive` for each reachable object type or field without one of `directives`. */
function missingAuth(schema: GraphQLSchema, directives: string[]): string[] {
  const lacking = (where: string, node: { directives?: readonly { name: { value: string } }[] } | null | undefined) => {
    const present = new Set((node?.directives ?? []).map((directive) => directive.name.value));
    return directives.filter((directive) => !present.has(directive)).map((directive) => `${where}: ${directive}`);
  };
  return reachableTypes(schema)
    .filter(isObjectType)
    .flatMap((type) => [
      ...lacking(type.name, type.astNode),
      ...Object.values(type.getFields()).flatMap((field) => lacking(`${type.name}.${field.name}`, field.astNode)),
    ]);
}
