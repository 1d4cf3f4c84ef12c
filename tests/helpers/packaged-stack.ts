import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './cli';

/** CloudFormation properties are arbitrary JSON that each test reads its own way. */
type Json = Record<string, any>;

export interface CfnResource {
  Type: string;
  Properties: Json;
  DependsOn?: string | string[];
  Condition?: string;
  [attribute: string]: unknown;
}

/** What `sls package` writes: the CloudFormation template and the functions' zip files, in `dir`. */
export interface PackagedStack {
  dir: string;
  template: { Resources: Record<string, CfnResource>; Conditions?: Json; Parameters?: Json; Outputs?: Json };
}

/** Everything the package is made of: a change to any of these files packages again. */
const INPUTS = ['serverless.yml', 'package.json', 'resources', 'statemachines', 'functions', 'lib', 'containers'];

/**
 * `sls package` as CI runs it (osls, dummy credentials, no network), with `--param` values, cached in the system's
 * temporary directory by the content of its inputs: the template test files share one packaging per change (each run
 * of `sls package` bundles every function, several seconds). Packagings of one checkout run one at a time, whatever
 * test process asks (serverless-esbuild builds in the checkout's own .esbuild folder: two at once break each other).
 */
export async function packagedStack(params: Record<string, string> = {}): Promise<PackagedStack> {
  const args = Object.entries(params).flatMap(([name, value]) => ['--param', `${name}=${value}`]);
  const dir = path.join(os.tmpdir(), `sls-package-${inputsHash(args)}`);
  const template = path.join(dir, 'cloudformation-template-update-stack.json');
  if (!existsSync(template)) await withCheckoutLock(() => (existsSync(template) ? Promise.resolve() : packageInto(dir, args)));
  return { dir, template: JSON.parse(await readFile(template, 'utf8')) };
}

async function packageInto(dir: string, args: string[]): Promise<void> {
  const work = await mkdtemp(`${dir}.tmp-`);
  await promisify(execFile)(
    process.execPath,
    [path.join(REPO_ROOT, 'node_modules/serverless/bin/serverless.js'), 'package', '--stage', 'ci', '--package', work, ...args],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_REGION: 'us-east-1' },
      maxBuffer: 16 * 1024 * 1024,
    },
  ).catch(async (error: unknown) => {
    await rm(work, { recursive: true, force: true });
    throw error;
  });
  await rename(work, dir).catch(() => rm(work, { recursive: true, force: true }));
  await pruneOldPackages();
}

/**
 * Runs `task` holding this checkout's packaging lock: a directory created atomically, with the holder's pid inside; a
 * lock whose holder is gone is taken over.
 */
async function withCheckoutLock(task: () => Promise<void>): Promise<void> {
  const lock = path.join(os.tmpdir(), `sls-lock-${createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 16)}`);
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(await readFile(path.join(lock, 'pid'), 'utf8').catch(() => ''));
      // A holder that died, or one that never wrote its pid within a minute of taking the lock.
      const abandoned = holder > 0 ? !isAlive(holder) : Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0) > 60_000;
      if (abandoned) await rm(lock, { recursive: true, force: true });
      else await sleep(200);
    }
  }
  try {
    await writeFile(path.join(lock, 'pid'), String(process.pid));
    await task();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Packagings of earlier changes, left a day ago or more, are removed. */
async function pruneOldPackages(): Promise<void> {
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const name of readdirSync(os.tmpdir())) {
    const dir = path.join(os.tmpdir(), name);
    if (name.startsWith('sls-package-') && statSync(dir).mtimeMs < dayAgo) await rm(dir, { recursive: true, force: true });
  }
}

function inputsHash(args: string[]): string {
  const hash = createHash('sha256').update(JSON.stringify(args));
  const add = (file: string) => {
    if (statSync(file).isDirectory()) {
      for (const entry of readdirSync(file).sort()) add(path.join(file, entry));
    } else {
      hash.update(path.relative(REPO_ROOT, file)).update(readFileSync(file));
    }
  };
  for (const input of INPUTS) add(path.join(REPO_ROOT, input));
  return hash.digest('hex').slice(0, 16);
}

/** The statements of a function's own role (serverless-iam-roles-per-function), without the log-group one all get. */
export function roleStatements(template: PackagedStack['template'], functionLogicalName: string): Json[] {
  const role = template.Resources[`${functionLogicalName}IamRoleLambdaExecution`];
  if (!role) throw new Error(`no role for the function ${functionLogicalName} in the template`);
  const all: Json[] = role.Properties.Policies.flatMap((policy: Json) => policy.PolicyDocument.Statement);
  return all.filter((statement) => ![statement.Action].flat().every((action: string) => action.startsWith('logs:')));
}

/** `Fn::GetAtt` of a resource's attribute (Arn by default) and `Ref` of a logical id, as the packaged template has them. */
export const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });
export const ref = (id: string) => ({ Ref: id });

/** A template's resource by logical id (throws when missing), and its resources of one type. */
export function templateLookups(template: PackagedStack['template']) {
  return {
    resource(id: string): CfnResource {
      const found = template.Resources[id];
      if (!found) throw new Error(`no resource ${id} in the template`);
      return found;
    },
    ofType: (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type),
  };
}
