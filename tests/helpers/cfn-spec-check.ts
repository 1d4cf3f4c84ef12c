import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { PropertyType, ResourceProperties, SpecDatabase } from '@aws-cdk/service-spec-types';

/**
 * A CloudFormation template checked against the AWS resource specification (`@aws-cdk/aws-service-spec`, built from
 * the CloudFormation registry schemas), offline. Each finding names the resource (or output), the path to the value
 * and the rule it breaks:
 *
 * - `resource-type`: the type is not in the specification. Custom resources (`Custom::*`,
 *   `AWS::CloudFormation::CustomResource`) take any properties but must have `ServiceToken` (`required-property`).
 * - `resource-attribute`: a key beside `Type` and `Properties` that is not DependsOn, Condition, DeletionPolicy,
 *   UpdateReplacePolicy, Metadata, UpdatePolicy or CreationPolicy; a DeletionPolicy other than Delete, Retain,
 *   Snapshot, RetainExceptOnCreate; an UpdateReplacePolicy other than Delete, Retain, Snapshot.
 * - `unknown-property`: a property the type (or the nested type it sits in) does not declare.
 * - `required-property`: a property the type declares required is absent.
 * - `value-kind`: the value is not of the declared kind. CloudFormation hands property values to resource handlers
 *   as text and converts them back by the schema, so it takes a number or a boolean where a string is expected, a
 *   number written in decimal (`"60"`, `"0.5"`) where a number is expected (for an integer, digits only: `"60"`), and
 *   `"true"`, `"false"`, `"True"`, `"False"` where a boolean is expected: the leniency cfn-lint, AWS's own linter,
 *   allows outside its strict mode (`_raw_type` in cfnlint/jsonschema/_keywords_cfn.py; aws/aws-cdk#10378 "In
 *   CloudFormation, it's legal to pass a string where a boolean value is expected"). Nothing else converts: a
 *   boolean is no number, a number no boolean, a list must be a list and an object an object. A `json` property
 *   takes any value; a union takes a value that one of its members takes.
 * - `allowed-values`: a string or integer outside the values the specification lists for it.
 * - `ref-target`: `Ref` names no resource, parameter or pseudo parameter.
 * - `getatt-target`: `Fn::GetAtt` names no resource, or an attribute its type does not have (a custom resource's
 *   attributes are free).
 * - `sub-reference`: a `${…}` in `Fn::Sub` is neither in its variable map nor a valid Ref or GetAtt (`${!…}` is
 *   literal text).
 * - `condition`: `Fn::If`, or a resource's or output's `Condition`, names no condition of the template.
 * - `depends-on`: DependsOn names no other resource of the template.
 *
 * An intrinsic function stands for a value of any kind (what it returns is only known at deploy time), but what it
 * refers to is checked, wherever it appears; the two branches of `Fn::If` are checked as the value they replace.
 */

export type Rule =
  | 'resource-type'
  | 'resource-attribute'
  | 'unknown-property'
  | 'required-property'
  | 'value-kind'
  | 'allowed-values'
  | 'ref-target'
  | 'getatt-target'
  | 'sub-reference'
  | 'condition'
  | 'depends-on';

export interface Finding {
  /** `Resources` or `Outputs`: the section `logicalId` belongs to. */
  section: 'Resources' | 'Outputs';
  logicalId: string;
  /** Where in the resource or output, e.g. `Properties.Code.S3Bucket`, `Properties.Tags[0].Key`, `DependsOn`. */
  path: string;
  rule: Rule;
  detail: string;
}

type Json = Record<string, any>;

export interface Template {
  Resources: Record<string, { Type: string; Properties?: Json; [attribute: string]: unknown }>;
  Parameters?: Json;
  Conditions?: Json;
  Outputs?: Json;
}

const RESOURCE_ATTRIBUTES = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'Metadata',
  'UpdatePolicy',
  'CreationPolicy',
]);
const DELETION_POLICIES = ['Delete', 'Retain', 'Snapshot', 'RetainExceptOnCreate'];
const UPDATE_REPLACE_POLICIES = ['Delete', 'Retain', 'Snapshot'];

const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

const INTRINSIC_FUNCTIONS = new Set([
  'Ref',
  'Fn::GetAtt',
  'Fn::Sub',
  'Fn::Join',
  'Fn::If',
  'Fn::Select',
  'Fn::Split',
  'Fn::ImportValue',
  'Fn::FindInMap',
  'Fn::GetAZs',
  'Fn::Base64',
  'Fn::Cidr',
  'Fn::Length',
  'Fn::ToJsonString',
]);

/** The text CloudFormation converts to a number, an integer, a boolean (see `value-kind` above). */
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const DIGITS = /^-?\d+$/;
const BOOLEAN_TEXT = ['true', 'false', 'True', 'False'];

const ANY: PropertyType = { type: 'json' };
/** The built-in `tag` type: `{ Key, Value }`, both required strings. */
const TAG_PROPERTIES: ResourceProperties = {
  Key: { type: { type: 'string' }, required: true },
  Value: { type: { type: 'string' }, required: true },
};

let spec: SpecDatabase | undefined;

/** Every finding in `template`; an empty list when it is valid by the rules above. */
export function checkTemplate(template: Template): Finding[] {
  spec ??= loadAwsServiceSpecSync();
  const findings: Finding[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const at = new Place(spec, template, 'Resources', logicalId);
    at.checkResource(resource);
    findings.push(...at.findings);
  }
  for (const [logicalId, output] of Object.entries(template.Outputs ?? {})) {
    const at = new Place(spec, template, 'Outputs', logicalId);
    at.checkValue(ANY, output.Value, 'Value');
    if (output.Export !== undefined) at.checkValue(ANY, output.Export, 'Export');
    if (output.Condition !== undefined) at.checkCondition(output.Condition, 'Condition');
    findings.push(...at.findings);
  }
  return findings;
}

/** One resource or output being checked, and what was found in it. */
class Place {
  readonly findings: Finding[] = [];

  constructor(
    private readonly db: SpecDatabase,
    private readonly template: Template,
    private readonly section: Finding['section'],
    private readonly logicalId: string,
  ) {}

  checkResource(resource: Template['Resources'][string]): void {
    for (const attribute of Object.keys(resource)) {
      if (!RESOURCE_ATTRIBUTES.has(attribute)) {
        this.find(attribute, 'resource-attribute', `${attribute} is not a resource attribute`);
      }
    }
    this.checkPolicy(resource.DeletionPolicy, 'DeletionPolicy', DELETION_POLICIES);
    this.checkPolicy(resource.UpdateReplacePolicy, 'UpdateReplacePolicy', UPDATE_REPLACE_POLICIES);
    if (resource.Condition !== undefined) this.checkCondition(resource.Condition, 'Condition');
    if (resource.DependsOn !== undefined) this.checkDependsOn(resource.DependsOn);

    const properties = resource.Properties ?? {};
    if (isCustom(resource.Type)) {
      this.checkValue(ANY, properties, 'Properties');
      if (properties.ServiceToken === undefined) {
        this.find('Properties.ServiceToken', 'required-property', 'a custom resource needs ServiceToken');
      }
      return;
    }
    const [type] = this.db.lookup('resource', 'cloudFormationType', 'equals', resource.Type);
    if (!type) {
      this.find('Type', 'resource-type', `${resource.Type} is not in the resource specification`);
      this.checkValue(ANY, properties, 'Properties');
      return;
    }
    this.checkObject(type.properties, properties, 'Properties', resource.Type);
  }

  /** `value` at `path` against `type`: kind, nested properties, allowed values, and the targets of intrinsics. */
  checkValue(type: PropertyType, value: unknown, path: string): void {
    this.findings.push(...this.valueFindings(type, value, path));
  }

  checkCondition(name: unknown, path: string): void {
    this.findings.push(...this.conditionFindings(name, path));
  }

  private conditionFindings(name: unknown, path: string): Finding[] {
    if (typeof name === 'string' && name in (this.template.Conditions ?? {})) return [];
    return [this.finding(path, 'condition', `${JSON.stringify(name)} is not a condition of the template`)];
  }

  private valueFindings(type: PropertyType, value: unknown, path: string): Finding[] {
    const intrinsic = intrinsicOf(value);
    if (intrinsic) return this.intrinsicFindings(intrinsic.name, intrinsic.argument, type, path);
    const wrongKind = () => [
      this.finding(path, 'value-kind', `expected ${this.describe(type)}, got ${JSON.stringify(value)}`),
    ];
    const notAllowed = (allowed: unknown[]) => [
      this.finding(path, 'allowed-values', `${JSON.stringify(value)} is not one of ${allowed.join(', ')}`),
    ];
    switch (type.type) {
      case 'json':
        if (Array.isArray(value)) return value.flatMap((e, i) => this.valueFindings(ANY, e, `${path}[${i}]`));
        if (isObject(value)) return Object.entries(value).flatMap(([k, e]) => this.valueFindings(ANY, e, `${path}.${k}`));
        return [];
      case 'string':
      case 'date-time':
        if (!['string', 'number', 'boolean'].includes(typeof value)) return wrongKind();
        if (type.type === 'string' && type.allowedValues && !type.allowedValues.includes(String(value))) {
          return notAllowed(type.allowedValues);
        }
        return [];
      case 'number':
        if (typeof value === 'number' && Number.isFinite(value)) return [];
        return typeof value === 'string' && DECIMAL.test(value) ? [] : wrongKind();
      case 'integer':
        if (!Number.isInteger(value) && !(typeof value === 'string' && DIGITS.test(value))) return wrongKind();
        if (type.allowedValues && !type.allowedValues.includes(Number(value))) return notAllowed(type.allowedValues);
        return [];
      case 'boolean':
        return typeof value === 'boolean' || BOOLEAN_TEXT.includes(value as string) ? [] : wrongKind();
      case 'null':
        return value === null ? [] : wrongKind();
      case 'array':
        if (!Array.isArray(value)) return wrongKind();
        return value.flatMap((element, i) => this.valueFindings(type.element, element, `${path}[${i}]`));
      case 'map':
        if (!isObject(value)) return wrongKind();
        return Object.entries(value).flatMap(([key, v]) => this.valueFindings(type.element, v, `${path}.${key}`));
      case 'tag':
        return isObject(value) ? this.objectFindings(TAG_PROPERTIES, value, path, 'Tag') : wrongKind();
      case 'ref': {
        const definition = this.db.get('typeDefinition', type.reference);
        return isObject(value) ? this.objectFindings(definition.properties, value, path, definition.name) : wrongKind();
      }
      case 'union': {
        // Valid if one member takes it (no findings: the fewest). Otherwise the members whose kind the value has tell
        // best what is wrong inside it; with none, it is of the wrong kind.
        const tries = type.types.map((member) => this.valueFindings(member, value, path));
        const kindOnly = (found: Finding[]) => found.length === 1 && found[0].rule === 'value-kind' && found[0].path === path;
        const ofKind = tries.filter((found) => !kindOnly(found));
        return ofKind.length > 0 ? ofKind.reduce((a, b) => (b.length < a.length ? b : a)) : wrongKind();
      }
    }
  }

  private checkObject(properties: ResourceProperties, value: unknown, path: string, typeName: string): void {
    if (!isObject(value)) {
      this.find(path, 'value-kind', `expected an object (${typeName}), got ${JSON.stringify(value)}`);
    } else this.findings.push(...this.objectFindings(properties, value, path, typeName));
  }

  private objectFindings(properties: ResourceProperties, value: Json, path: string, typeName: string): Finding[] {
    const found: Finding[] = [];
    for (const [name, v] of Object.entries(value)) {
      const property = properties[name];
      if (!property) {
        found.push(this.finding(`${path}.${name}`, 'unknown-property', `${typeName} has no property ${name}`));
      } else found.push(...this.valueFindings(property.type, v, `${path}.${name}`));
    }
    for (const [name, property] of Object.entries(properties)) {
      if (property.required && !(name in value)) {
        found.push(this.finding(`${path}.${name}`, 'required-property', `${typeName} requires ${name}`));
      }
    }
    return found;
  }

  private intrinsicFindings(name: string, argument: any, type: PropertyType, path: string): Finding[] {
    const at = `${path}.${name}`;
    switch (name) {
      case 'Ref':
        return this.refFindings(argument, at);
      case 'Fn::GetAtt': {
        const [target, attribute] = typeof argument === 'string' ? splitOnce(argument, '.') : (argument ?? []);
        return [...this.getAttFindings(target, attribute, at), ...this.valueFindings(ANY, attribute, `${at}[1]`)];
      }
      case 'Fn::Sub': {
        const [text, variables = {}] = typeof argument === 'string' ? [argument] : argument;
        const found = this.valueFindings(ANY, variables, `${at}[1]`);
        for (const [, reference] of String(text).matchAll(/\$\{([^}]*)\}/g)) {
          if (reference.startsWith('!') || reference in variables) continue;
          const [target, attribute] = splitOnce(reference, '.');
          const broken =
            attribute === undefined ? this.refFindings(target, at) : this.getAttFindings(target, attribute, at);
          const detail = (f: Finding) => `\${${reference}}: ${f.detail}`;
          found.push(...broken.map((f) => ({ ...f, rule: 'sub-reference' as const, detail: detail(f) })));
        }
        return found;
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = argument;
        return [
          ...this.conditionFindings(condition, `${at}[0]`),
          ...this.valueFindings(type, whenTrue, `${at}[1]`),
          ...this.valueFindings(type, whenFalse, `${at}[2]`),
        ];
      }
      default:
        return this.valueFindings(ANY, argument, at);
    }
  }

  private refFindings(target: unknown, path: string): Finding[] {
    if (typeof target === 'string' && (PSEUDO_PARAMETERS.has(target) || this.isLogicalId(target))) return [];
    const detail = `${JSON.stringify(target)} is no resource, parameter or pseudo parameter`;
    return [this.finding(path, 'ref-target', detail)];
  }

  private getAttFindings(target: unknown, attribute: unknown, path: string): Finding[] {
    const resource = typeof target === 'string' ? this.template.Resources[target] : undefined;
    if (!resource) {
      return [this.finding(path, 'getatt-target', `${JSON.stringify(target)} is not a resource of the template`)];
    }
    if (typeof attribute !== 'string' || isCustom(resource.Type)) return [];
    const [type] = this.db.lookup('resource', 'cloudFormationType', 'equals', resource.Type);
    if (!type || attribute in type.attributes) return [];
    return [this.finding(path, 'getatt-target', `${resource.Type} has no attribute ${attribute}`)];
  }

  private isLogicalId(name: string): boolean {
    return name in this.template.Resources || name in (this.template.Parameters ?? {});
  }

  private checkDependsOn(dependsOn: unknown): void {
    for (const target of [dependsOn].flat()) {
      if (typeof target !== 'string' || target === this.logicalId || !(target in this.template.Resources)) {
        this.find('DependsOn', 'depends-on', `${JSON.stringify(target)} is not another resource of the template`);
      }
    }
  }

  private checkPolicy(value: unknown, attribute: string, allowed: string[]): void {
    if (value !== undefined && !allowed.includes(value as string)) {
      this.find(attribute, 'resource-attribute', `${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
    }
  }

  private describe(type: PropertyType): string {
    switch (type.type) {
      case 'array':
        return `a list of ${this.describe(type.element)}`;
      case 'map':
        return `a map of ${this.describe(type.element)}`;
      case 'ref':
        return `an object (${this.db.get('typeDefinition', type.reference).name})`;
      case 'tag':
        return 'an object (Tag)';
      case 'union':
        return type.types.map((member) => this.describe(member)).join(' or ');
      default:
        return `${type.type === 'integer' ? 'an' : 'a'} ${type.type}`;
    }
  }

  private find(path: string, rule: Rule, detail: string): void {
    this.findings.push(this.finding(path, rule, detail));
  }

  private finding(path: string, rule: Rule, detail: string): Finding {
    return { section: this.section, logicalId: this.logicalId, path, rule, detail };
  }
}

function isCustom(type: string): boolean {
  return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
}

function intrinsicOf(value: unknown): { name: string; argument: unknown } | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1 || !INTRINSIC_FUNCTIONS.has(keys[0])) return undefined;
  return { name: keys[0], argument: value[keys[0]] };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `Resource.Attribute` split at the first dot (attribute names may have dots of their own); no dot: `[text]`. */
function splitOnce(text: string, separator: string): [string, string?] {
  const i = text.indexOf(separator);
  return i < 0 ? [text] : [text.slice(0, i), text.slice(i + 1)];
}
