/**
 * The SageMaker part of the packaged stack (resources/sagemaker.yml), held to what AWS does in the field and the offline
 * tests cannot see (/work/shared/reference/aws-facts.md, "Field facts"): each rule is named where it is tested.
 */
import { packagedStack, type PackagedStack } from '../helpers/packaged-stack';

jest.setTimeout(180_000);

type Json = Record<string, any>;

let template: PackagedStack['template'];

beforeAll(async () => {
  ({ template } = await packagedStack());
});

const properties = (id: string): Json => {
  const found = template.Resources[id];
  if (!found) throw new Error(`no resource ${id} in the template`);
  return found.Properties;
};

describe('the embedder models', () => {
  // AWS: a SageMaker container is not told its region reliably; the SDK inside it needs AWS_REGION.
  test.each(['EmbedderGpuModel', 'EmbedderCpuModel'])('%s passes the stack region as AWS_REGION', (model) => {
    expect(properties(model).PrimaryContainer.Environment.AWS_REGION).toEqual({ Ref: 'AWS::Region' });
  });
});
