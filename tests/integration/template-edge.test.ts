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
import { packagedStack, type PackagedStack } from '../helpers/packaged-stack';

jest.setTimeout(120_000);

type Json = Record<string, any>;

let template: PackagedStack['template'];

beforeAll(async () => {
  ({ template } = await packagedStack());
});

const resource = (id: string) => {
  const found = template.Resources[id];
  if (!found) throw new Error(`no resource ${id} in the template`);
  return found;
};

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
      ['Clip', 'Query', 'SearchResult', 'Smoothing', 'Timeline', 'Video', 'VideoList'],
    );
    expect(missingAuth(schema, directives)).toEqual([]);

    // The check sees one missing directive.
    const stripped = schemaText().replace(/(type Video @aws_api_key @aws_iam \{\s+id: ID!) @aws_api_key @aws_iam/, '$1 @aws_api_key');
    expect(stripped).not.toBe(schemaText());
    expect(missingAuth(buildSchema(APPSYNC_PRELUDE + stripped), directives)).toEqual(['Video.id: aws_iam']);
  });

  // AppSync's auth directives apply to OBJECT and FIELD_DEFINITION only: an input, enum or scalar with one is an
  // invalid schema, and an input's fields are authorised through the field that takes it.
  test('inputs and enums reachable from Query carry no directives, and would not be accepted with one', () => {
    const schema = buildSchema(APPSYNC_PRELUDE + schemaText());
    const others = reachableTypes(schema).filter((type) => isInputObjectType(type) || isEnumType(type));
    expect(others.map((type) => type.name).sort()).toEqual(['SearchInput', 'TimelineInput', 'TimelineQueryInput', 'TimelineSearchInput', 'VideoStatus']);
    for (const type of others) {
      const nodes = [type.astNode, ...(isInputObjectType(type) ? Object.values(type.getFields()).map((field) => field.astNode) : [])];
      expect({ type: type.name, directives: nodes.flatMap((node) => node?.directives ?? []).length }).toEqual({ type: type.name, directives: 0 });
    }
    expect(() => buildSchema(APPSYNC_PRELUDE + schemaText().replace('input SearchInput {', 'input SearchInput @aws_iam {'))).toThrow(
      /may not be used on INPUT_OBJECT/,
    );
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
