import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../helpers/cli';

export type Handler = (event: never, context: Context) => Promise<unknown>;

/** A function as serverless.yml declares it. */
export interface DeclaredFunction {
  /** Its key under `functions:` (what `Fn::GetAtt: [key, Arn]` in the state machine definition names). */
  key: string;
  /** Its deployed name: `<service>-<stage>-<key>`, as serverless names a function without a `name:`. */
  name: string;
  arn: string;
  /** `handler:` as written, e.g. functions/plan-video/handler.handler. */
  handler: string;
}

/** The stage the offline workflow "deploys" to. */
export const LOCAL_STAGE = 'local';
const ACCOUNT_ARN = 'arn:aws:lambda:us-east-1:123456789012:function';

/** YAML with CloudFormation's short tags (!Ref, !GetAtt, !Sub…), which only the values here need not understand. */
const readYaml = (file: string) => parse(readFileSync(path.join(REPO_ROOT, file), 'utf8'), { logLevel: 'error' }) as Record<string, unknown>;

let declared: Map<string, DeclaredFunction> | undefined;

interface ServerlessYml {
  service: string;
  functions: unknown[];
  custom: Record<string, unknown>;
  params: { default: Record<string, unknown> };
}

type FunctionEntries = Record<string, { handler?: unknown; name?: unknown }>;

/**
 * One entry of serverless.yml's `functions:` list, read as serverless reads it with the default parameters: a
 * `${file(F)}` include, or `${self:custom.X.functions}` where custom X is a `${file(F):${param:P}}` branch.
 */
function functionEntries(serverless: ServerlessYml, include: unknown): { file: string; entries: FunctionEntries } {
  const text = typeof include === 'string' ? include : '';
  const file = /^\$\{file\((.+)\)\}$/.exec(text)?.[1];
  if (file) return { file, entries: readYaml(file) as FunctionEntries };
  const custom = /^\$\{self:custom\.(\w+)\.functions\}$/.exec(text)?.[1];
  const branch = custom && /^\$\{file\((.+)\):\$\{param:(\w+)\}\}$/.exec(String(serverless.custom[custom]));
  if (!branch) throw new Error(`serverless.yml: functions entry ${JSON.stringify(include)} is not an include this test reads`);
  const [, branchFile, param] = branch;
  const chosen = (readYaml(branchFile) as Record<string, { functions: FunctionEntries }>)[String(serverless.params.default[param])];
  return { file: branchFile, entries: chosen.functions };
}

/**
 * The functions serverless.yml declares, by key: its `functions:` list of includes read as serverless reads them.
 * What the state machine's tasks are bound through, so a task runs the handler its definition names.
 */
export function declaredFunctions(): Map<string, DeclaredFunction> {
  if (declared) return declared;
  const serverless = readYaml('serverless.yml') as unknown as ServerlessYml;
  declared = new Map();
  for (const include of serverless.functions) {
    const { file, entries } = functionEntries(serverless, include);
    for (const [key, fn] of Object.entries(entries)) {
      if (typeof fn.handler !== 'string') throw new Error(`${file}: function ${key} has no handler`);
      if (fn.name !== undefined) throw new Error(`${file}: function ${key} sets a name, which the offline workflow does not resolve`);
      if (declared.has(key)) throw new Error(`${file}: function ${key} is declared twice`);
      const name = `${serverless.service}-${LOCAL_STAGE}-${key}`;
      declared.set(key, { key, name, arn: `${ACCOUNT_ARN}:${name}`, handler: fn.handler });
    }
  }
  return declared;
}

/** The declared function whose ARN (or name) this is; undefined if serverless.yml declares none such. */
export function functionByArn(arnOrName: string): DeclaredFunction | undefined {
  return [...declaredFunctions().values()].find((fn) => fn.arn === arnOrName || fn.name === arnOrName);
}

/** The handler its `handler:` names (module path relative to the repository, then the export), imported now. */
export async function importHandler(fn: DeclaredFunction): Promise<Handler> {
  const dot = fn.handler.lastIndexOf('.');
  const module = (await import(path.join(REPO_ROOT, fn.handler.slice(0, dot)))) as Record<string, unknown>;
  const handler = module[fn.handler.slice(dot + 1)];
  if (typeof handler !== 'function') throw new Error(`function ${fn.key}: ${fn.handler} is not an exported function`);
  return handler as Handler;
}
