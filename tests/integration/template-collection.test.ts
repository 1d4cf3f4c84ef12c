import { packagedStack, type PackagedStack } from '../helpers/packaged-stack';

// Each packaging bundles every function: tens of seconds, minutes on a busy machine.
jest.setTimeout(300_000);

type Template = PackagedStack['template'];
type Json = Record<string, any>;

let nextGen: Template;
let classic: Template;

beforeAll(async () => {
  [{ template: nextGen }, { template: classic }] = await Promise.all([
    packagedStack(),
    packagedStack({ collectionGeneration: 'CLASSIC' }),
  ]);
});

/** Whether a condition of the template holds: serverless writes ours as Fn::Equals of two literal parameter values. */
function holds(template: Template, name: string): boolean {
  const [a, b] = template.Conditions?.[name]['Fn::Equals'] as [unknown, unknown];
  expect([typeof a, typeof b]).toEqual(['string', 'string']);
  return a === b;
}

/** The resources CloudFormation creates: those without a condition, or whose condition holds. */
function created(template: Template): string[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Condition === undefined || holds(template, resource.Condition))
    .map(([id]) => id);
}

/** A value with every `Fn::If` on `condition` replaced by the branch CloudFormation takes, and AWS::NoValue left out. */
function resolved(template: Template, value: unknown, condition: string): unknown {
  if (Array.isArray(value)) return value.map((v) => resolved(template, v, condition));
  if (value === null || typeof value !== 'object') return value;
  const json = value as Json;
  if (json['Fn::If']?.[0] === condition) {
    const [, whenTrue, whenFalse] = json['Fn::If'];
    return resolved(template, holds(template, condition) ? whenTrue : whenFalse, condition);
  }
  const entries = Object.entries(json).map(([k, v]) => [k, resolved(template, v, condition)] as const);
  return Object.fromEntries(entries.filter(([, v]) => (v as Json | undefined)?.Ref !== 'AWS::NoValue'));
}

const collection = (template: Template) => resolved(template, template.Resources.FramesCollection, 'NextGenCollection') as Json;

describe('the frames collection by generation', () => {
  test('by default: a NextGen collection group with minimum 0 OCU, and the VECTORSEARCH collection in it', () => {
    expect(nextGen.Resources.FramesCollectionGroup).toEqual({
      Type: 'AWS::OpenSearchServerless::CollectionGroup',
      Condition: 'NextGenCollection',
      Properties: {
        Name: 'vsearch-ci-group',
        Generation: 'NEXTGEN',
        StandbyReplicas: 'DISABLED',
        CapacityLimits: { MinIndexingCapacityInOcu: 0, MinSearchCapacityInOcu: 0, MaxIndexingCapacityInOcu: 4, MaxSearchCapacityInOcu: 4 },
      },
    });
    expect(created(nextGen)).toContain('FramesCollectionGroup');
    // The name, not the Ref (the group's id): Fn::Select takes it from a list that holds the Ref as well, which makes
    // CloudFormation create the group before the collection.
    expect(collection(nextGen).Properties).toEqual({
      Name: 'vsearch-ci',
      Type: 'VECTORSEARCH',
      StandbyReplicas: 'DISABLED',
      CollectionGroupName: { 'Fn::Select': [0, ['vsearch-ci-group', { Ref: 'FramesCollectionGroup' }]] },
    });
  });

  test('collectionGeneration=CLASSIC: the collection as before, in no group, and no group is created', () => {
    expect(created(classic)).not.toContain('FramesCollectionGroup');
    expect(collection(classic).Properties).toEqual({ Name: 'vsearch-ci', Type: 'VECTORSEARCH', StandbyReplicas: 'DISABLED' });
  });

  test('both generations have the same policies, VPC endpoint, index resource and access to the collection', () => {
    const rest = (template: Template) => {
      const { FramesCollection, FramesCollectionGroup, ...others } = template.Resources;
      return Object.fromEntries(
        Object.entries(others).filter(([id, resource]) => id.startsWith('Frames') || resource.Type.startsWith('AWS::OpenSearchServerless::')),
      );
    };
    expect(Object.keys(rest(nextGen)).sort()).toEqual([
      'FramesAccessPolicy',
      'FramesEncryptionPolicy',
      'FramesIndex',
      'FramesIndexIamRoleLambdaExecution',
      'FramesIndexLambdaFunction',
      'FramesIndexLogGroup',
      'FramesNetworkPolicy',
      'FramesVpcEndpoint',
    ]);
    // The index function's code differs only by the packaging's content hash (its S3 key); the rest is equal.
    const withoutCode = (resources: Json) => JSON.parse(JSON.stringify(resources).replace(/"S3Key":"[^"]*"/g, '"S3Key":""'));
    expect(withoutCode(rest(classic))).toEqual(withoutCode(rest(nextGen)));
    expect(collection(classic).DependsOn).toEqual(collection(nextGen).DependsOn);
  });

  // CloudFormation refuses a template that names a resource whose condition is false outside an Fn::If on that
  // condition: a DependsOn on it, or a Ref / GetAtt / Sub to it ("Template format error: Unresolved resource
  // dependencies"; cfn-lint E3005 and W1001). The specification check cannot see it.
  test('the conditional group is named only inside Fn::If on its condition, never in a DependsOn', () => {
    const unguarded: string[] = [];
    const visit = (value: unknown, where: string, guarded: boolean): void => {
      if (Array.isArray(value)) return value.forEach((v, i) => visit(v, `${where}[${i}]`, guarded));
      if (value === null || typeof value !== 'object') return;
      const json = value as Json;
      if (json['Fn::If']?.[0] === 'NextGenCollection') {
        const [, whenTrue, whenFalse] = json['Fn::If'];
        visit(whenTrue, `${where}.Fn::If[1]`, true);
        return visit(whenFalse, `${where}.Fn::If[2]`, guarded);
      }
      const text = JSON.stringify([json.Ref, json['Fn::GetAtt'], json['Fn::Sub']]);
      if (!guarded && text.includes('FramesCollectionGroup')) unguarded.push(where);
      for (const [key, v] of Object.entries(json)) visit(v, `${where}.${key}`, guarded);
    };
    for (const [id, resource] of Object.entries(nextGen.Resources)) {
      if (resource.Condition === 'NextGenCollection') continue;
      if ([resource.DependsOn ?? []].flat().includes('FramesCollectionGroup')) unguarded.push(`${id}.DependsOn`);
      visit(resource.Properties, `${id}.Properties`, false);
    }
    visit(nextGen.Outputs, 'Outputs', false);
    expect(unguarded).toEqual([]);
  });

  // AWS's collection group capacity limits page: limits take values of a fixed set (1, 2, 4, 8, 16, …); a NextGen
  // group's minimum may also be 0 (scale to zero).
  test('the default capacity limits are values AWS takes', () => {
    const limits = nextGen.Resources.FramesCollectionGroup.Properties.CapacityLimits as Record<string, number>;
    for (const [name, value] of Object.entries(limits)) {
      const allowed = name.startsWith('Min') ? [0, 1, 2, 4, 8, 16] : [1, 2, 4, 8, 16];
      expect({ name, value, allowed: allowed.includes(value) }).toEqual({ name, value, allowed: true });
    }
  });

  test('the OCU bounds are parameters', async () => {
    const { template } = await packagedStack({ minSearchOcu: '1', maxIndexingOcu: '2', maxSearchOcu: '8' });
    // `--param` values arrive as text, which CloudFormation converts to the numbers the properties take.
    expect(template.Resources.FramesCollectionGroup.Properties.CapacityLimits).toEqual({
      MinIndexingCapacityInOcu: 0,
      MinSearchCapacityInOcu: '1',
      MaxIndexingCapacityInOcu: '2',
      MaxSearchCapacityInOcu: '8',
    });
  });

  test('an unknown collectionGeneration fails the packaging instead of choosing one', async () => {
    await expect(packagedStack({ collectionGeneration: 'nextgen' })).rejects.toMatchObject({
      stdout: expect.stringMatching(/Cannot resolve variable at "custom\.collectionEnvironment\.FRAMES_VISIBILITY_WINDOW_MS"/),
    });
  });

  test('the ingest function waits out the refresh interval of its generation: 10 s NextGen, 60 s classic, plus 30 s', () => {
    const window = (template: Template) =>
      template.Resources.IngestFramesLambdaFunction.Properties.Environment.Variables.FRAMES_VISIBILITY_WINDOW_MS;
    expect([window(nextGen), window(classic)]).toEqual(['40000', '90000']);
  });
});
