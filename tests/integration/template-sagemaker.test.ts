/**
 * The SageMaker part of the packaged stack (resources/sagemaker.yml) and the images it runs
 * (containers/embedder/Dockerfile, scripts/build-and-push-embedder.sh), held to what AWS does in the field and the
 * offline tests cannot see (/work/shared/reference/aws-facts.md, "Field facts"): each rule is named where it is tested.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_ASR_MODEL } from '../../lib/speech/transformers-recognizer';
import { REPO_ROOT } from '../helpers/cli';
import { imageEnv, parseDockerfile, stagesBuilt, substitute, type Dockerfile } from '../helpers/dockerfile';
import { packagedStack, type PackagedStack } from '../helpers/packaged-stack';

jest.setTimeout(180_000);

type Json = Record<string, any>;

const run = promisify(execFile);

let template: PackagedStack['template'];
let dockerfile: Dockerfile;

beforeAll(async () => {
  [{ template }, dockerfile] = await Promise.all([
    packagedStack(),
    readFile(path.join(REPO_ROOT, 'containers/embedder/Dockerfile'), 'utf8').then(parseDockerfile),
  ]);
});

const properties = (id: string): Json => {
  const found = template.Resources[id];
  if (!found) throw new Error(`no resource ${id} in the template`);
  return found.Properties;
};
const asyncVariant = (): Json => properties('AsyncEndpointConfig').ProductionVariants[0];
const queryVariant = (): Json => properties('QueryEndpointConfig').ProductionVariants[0];

/** What scripts/build-and-push-embedder.sh builds for a variant, read from the stages that build runs. */
function embedderImage(variant: 'gpu' | 'cpu') {
  const stages = stagesBuilt(dockerfile, { VARIANT: variant, MODEL_ID: 'Xenova/clip-vit-base-patch32' });
  const runs = stages.flatMap((stage) => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args));
  return {
    stages,
    runs,
    env: imageEnv(stages),
    images: stages.flatMap((stage) => [stage.image ?? [], ...stage.copiedImages].flat()),
    /** The CUDA versions it carries: an NVIDIA CUDA base image's, and that of a stage installing CUDA's runtime. */
    cuda: stages.flatMap((stage) => [
      ...[stage.image ?? '', ...stage.copiedImages].flatMap((name) => /^nvidia\/cuda:(\d+\.\d+)/.exec(name)?.slice(1) ?? []),
      ...(stage.instructions.some((i) => i.keyword === 'RUN' && /\bcuda-cudart-/.test(i.args)) ? [stage.args.CUDA_VERSION ?? '?'] : []),
    ]),
  };
}

/** Fn::Join and Fn::Split evaluated, as CloudFormation does when the values are literal. */
function evaluate(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(evaluate);
  if (typeof value !== 'object' || value === null) return value;
  const [[name, args]] = Object.entries(value);
  if (name === 'Fn::Join') return (evaluate(args[1]) as string[]).join(args[0]);
  if (name === 'Fn::Split') return (evaluate(args[1]) as string).split(args[0]);
  throw new Error(`cannot evaluate ${name}`);
}

const version = (text: string) => text.split('.').map(Number) as [number, number];
const atMost = (a: string, b: string) => {
  const [[aMajor, aMinor], [bMajor, bMinor]] = [version(a), version(b)];
  return aMajor < bMajor || (aMajor === bMajor && aMinor <= bMinor);
};

describe('the GPU image and the host driver of the async endpoint', () => {
  /**
   * The NVIDIA driver of SageMaker hosting instances, and the newest CUDA it runs, by the production variant's
   * InferenceAmiVersion (AWS: "Best practices to minimize interruptions during GPU driver upgrades",
   * docs.aws.amazon.com/sagemaker/latest/dg/inference-gpu-drivers.html, and ProductionVariant.InferenceAmiVersion in
   * the SageMaker API reference; read 2026). Without one, ml.g4dn/g5/p4d hosts run driver 470. A container built for a
   * newer CUDA fails to start: CannotStartContainerError (the -3-1 AMI's container toolkit does not mount CUDA compat).
   */
  const HOST_CUDA: Record<string, { driver: number; cuda: string }> = {
    '(none)': { driver: 470, cuda: '11.4' },
    'al2-ami-sagemaker-inference-gpu-2': { driver: 535, cuda: '12.2' },
    'al2-ami-sagemaker-inference-gpu-2-1': { driver: 535, cuda: '12.2' },
    'al2-ami-sagemaker-inference-gpu-3-1': { driver: 550, cuda: '12.4' },
  };

  test('the image carries one CUDA, no newer than the driver of the AMI its variant names', () => {
    const { cuda } = embedderImage('gpu');
    const ami = asyncVariant().InferenceAmiVersion ?? '(none)';
    expect({ ami, known: ami in HOST_CUDA }).toEqual({ ami, known: true });
    expect(cuda).toHaveLength(1);
    expect({ image: cuda[0], host: HOST_CUDA[ami].cuda, fits: atMost(cuda[0], HOST_CUDA[ami].cuda) }).toMatchObject({ fits: true });
  });

  test("it has what the installed onnxruntime-node's CUDA provider loads: the same CUDA major, and cuDNN 9", () => {
    // onnxruntime.ai, CUDA Execution Provider requirements: GPU packages since 1.19 are built for CUDA 12.x and cuDNN 9.x
    // and run on any CUDA 12.x (NVIDIA minor version compatibility).
    const ort = require(path.join(REPO_ROOT, 'node_modules/onnxruntime-node/package.json')) as { version: string };
    const metadata = require(path.join(REPO_ROOT, 'node_modules/onnxruntime-node/script/install-metadata.js')) as Json;
    expect(atMost('1.19', ort.version)).toBe(true);
    const { runs, cuda, env } = embedderImage('gpu');
    const provider = runs.flatMap((command) => [...command.matchAll(/ONNXRUNTIME_NODE_INSTALL=(cuda(\d+))/g)]);
    expect(provider.map(([, flag]) => flag)).toEqual([expect.stringMatching(/^cuda\d+$/)]);
    const [[, flag, major]] = provider;
    expect(metadata.requirements['linux/x64']).toContain(flag);
    expect(version(cuda[0])[0]).toBe(Number(major));
    expect(runs.join('\n')).toMatch(new RegExp(`\\blibcudnn9-cuda-${major}\\b`));
    expect(env).toMatchObject({ DEVICE: 'cuda', NVIDIA_REQUIRE_CUDA: `cuda>=${cuda[0]}` });
  });

  test('it bundles no NVIDIA driver: the host provides it (SageMaker container contract)', () => {
    expect(embedderImage('gpu').runs.filter((command) => /nvidia-driver|libcuda1|libnvidia-/.test(command))).toEqual([]);
  });

  test('the async model runs it on the GPU', () => {
    expect(properties('EmbedderGpuModel').PrimaryContainer.Environment.DEVICE).toBe('cuda');
  });
});

describe('the CPU image of the serverless query endpoint', () => {
  test('has no CUDA: no NVIDIA base, no CUDA packages, no CUDA provider, DEVICE=cpu', () => {
    const { cuda, images, runs, env } = embedderImage('cpu');
    expect(cuda).toEqual([]);
    expect(images.filter((name) => /nvidia|cuda/i.test(name))).toEqual([]);
    expect(runs.filter((command) => /cuda|nvidia/i.test(command))).toEqual([]);
    expect(Object.keys(env).filter((name) => name.startsWith('NVIDIA_'))).toEqual([]);
    expect(env.DEVICE).toBe('cpu');
  });

  test("installs with an npm that follows package.json's allowScripts, which keeps onnxruntime-node's CUDA download out", () => {
    const pkg = require(path.join(REPO_ROOT, 'package.json')) as Json;
    expect(pkg.allowScripts['onnxruntime-node']).toBe(false);
    // npm before 11.16 (the node image's) knows no allowScripts and would run the download: the install upgrades it first.
    const [, floor] = /^>=(\d+\.\d+)\.\d+$/.exec(pkg.devEngines.packageManager.version)!;
    const stage = embedderImage('cpu').stages.find((s) => s.instructions.some((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args)))!;
    const runs = stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => substitute(i.args, stage.args));
    const upgrade = runs.findIndex((command) => /\bnpm install --global\b.*\bnpm@\d/.test(command));
    expect(upgrade).toBeGreaterThanOrEqual(0);
    expect(upgrade).toBeLessThan(runs.findIndex((command) => /\bnpm ci\b/.test(command)));
    const [, installed] = /\bnpm@(\d+\.\d+)/.exec(runs[upgrade])!;
    expect({ installed, floor, enough: atMost(floor, installed) }).toMatchObject({ enough: true });
  });
});

describe('both images', () => {
  test.each(['gpu', 'cpu'] as const)('%s: the model is baked in, where the server finds it by its id', (variant) => {
    const { stages, env } = embedderImage(variant);
    const [final] = stages;
    const fetch = stages.find((stage) => stage.instructions.some((i) => i.keyword === 'RUN' && i.args.includes('fetch-model.ts')));
    expect(fetch?.name).toBeDefined();
    expect(final.instructions).toContainEqual({ keyword: 'COPY', args: `--from=${fetch!.name} --chown=10001:10001 /opt/models /opt/models` });
    expect(env).toMatchObject({ MODEL_ID: 'Xenova/clip-vit-base-patch32', MODEL_CACHE_DIR: '/opt/models' });
  });

  test('MODEL_ID is required at build: the step that bakes the model fails without it, saying so', async () => {
    const [fetch] = embedderImage('cpu').stages.flatMap((stage) =>
      stage.instructions.filter((i) => i.keyword === 'RUN' && i.args.includes('fetch-model.ts')),
    );
    // RUN is `sh -c`, with the build arguments in its environment.
    const result = await run('sh', ['-c', fetch.args], { env: { PATH: process.env.PATH, MODEL_ID: '', DTYPE: 'fp32' } }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(result).toMatchObject({ code: 1, stderr: 'MODEL_ID is required: --build-arg MODEL_ID=<hub id>\n' });
  });
});

describe('speech recognition', () => {
  /** The build's RUN steps that fetch the ASR model, run as `sh -c` with a `node` that only logs its arguments. */
  async function asrFetches(variant: 'gpu' | 'cpu', asrModel?: string): Promise<string[]> {
    const bin = await mkdtemp(path.join(os.tmpdir(), 'asr-fetch-'));
    try {
      await writeFile(path.join(bin, 'node'), '#!/bin/sh\necho "$*" >> "$CALLS"\n');
      await chmod(path.join(bin, 'node'), 0o755);
      const stages = embedderImage(variant).stages;
      const steps = stages.flatMap((stage) =>
        stage.instructions.filter((i) => i.keyword === 'RUN' && i.args.includes('--asr')).map((i) => ({ command: i.args, args: stage.args })),
      );
      const calls = path.join(bin, 'calls');
      for (const { command, args } of steps) {
        const env = { ...args, ...(asrModel !== undefined && { ASR_MODEL: asrModel }), PATH: `${bin}:${process.env.PATH}`, CALLS: calls };
        await run('sh', ['-c', command], { env });
      }
      return (await readFile(calls, 'utf8').catch(() => '')).split('\n').filter(Boolean);
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  }

  test('the GPU image bakes in the Whisper model the async model runs (asrModel), by the same fetch as the vision model', async () => {
    expect(await asrFetches('gpu')).toEqual([`--import tsx containers/embedder/fetch-model.ts --asr ${DEFAULT_ASR_MODEL} /opt/models fp32`]);
    expect(embedderImage('gpu').env).toMatchObject({ ASR_MODEL: DEFAULT_ASR_MODEL, ASR_DTYPE: 'fp32', MODEL_CACHE_DIR: '/opt/models' });
    expect(properties('EmbedderGpuModel').PrimaryContainer.Environment.ASR_MODEL).toBe(DEFAULT_ASR_MODEL);
    expect(await asrFetches('gpu', 'none')).toEqual([]);
  });

  test('the CPU image and the query model have none: they run no video jobs', async () => {
    expect(await asrFetches('cpu')).toEqual([]);
    expect(embedderImage('cpu').env.ASR_MODEL).toBe('none');
    expect(properties('EmbedderCpuModel').PrimaryContainer.Environment.ASR_MODEL).toBe('none');
  });
});

describe('scripts/build-and-push-embedder.sh', () => {
  const script = path.join(REPO_ROOT, 'scripts/build-and-push-embedder.sh');
  let bin: string;
  let runs = 0;

  /** aws and docker stand-ins that log their arguments; `docker image inspect` answers IMAGE_BYTES. */
  beforeAll(async () => {
    bin = await mkdtemp(path.join(os.tmpdir(), 'build-and-push-'));
    const fake = (body: string) => `#!/usr/bin/env bash\necho "$(basename "$0") $*" >> "$CALLS"\n${body}\n`;
    await writeFile(path.join(bin, 'aws'), fake('[[ $1 == sts ]] && echo 123456789012\n[[ $2 == get-login-password ]] && echo secret\nexit 0'));
    await writeFile(path.join(bin, 'docker'), fake('[[ $1 == login ]] && cat >/dev/null\n[[ $1 == image ]] && echo "$IMAGE_BYTES"\nexit 0'));
    await Promise.all(['aws', 'docker'].map((name) => chmod(path.join(bin, name), 0o755)));
  });
  afterAll(() => rm(bin, { recursive: true, force: true }));

  async function build(args: string[], imageBytes: number) {
    const calls = path.join(bin, `calls-${++runs}`);
    const env = { PATH: `${bin}:${process.env.PATH}`, CALLS: calls, IMAGE_BYTES: String(imageBytes) };
    const result = await run('bash', [script, ...args], { env }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    const logged = await readFile(calls, 'utf8').catch(() => '');
    return { ...result, calls: logged.split('\n').filter(Boolean) };
  }

  test('is valid bash', async () => {
    await expect(run('bash', ['-n', script])).resolves.toBeDefined();
  });

  test('builds and pushes both images, the model baked into each, and prints the parameters that name them', async () => {
    const { code, stdout, calls } = await build(['eu-west-1', 'vsearch-embedder', 'v7', 'Xenova/clip-vit-base-patch32'], 2e9);
    expect(code).toBe(0);
    const registry = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/vsearch-embedder';
    const builds = calls.filter((call) => call.startsWith('docker build '));
    expect(builds).toHaveLength(2);
    for (const [variant, call] of [['gpu', builds[0]], ['cpu', builds[1]]]) {
      expect(call).toContain(`-f ${REPO_ROOT}/containers/embedder/Dockerfile`);
      expect(call).toContain(`--build-arg VARIANT=${variant} --build-arg MODEL_ID=Xenova/clip-vit-base-patch32`);
      expect(call).toContain(`-t ${registry}:v7-${variant} ${REPO_ROOT}`);
    }
    const pushes = calls.filter((call) => call.startsWith('docker push '));
    expect(pushes).toEqual([`docker push ${registry}:v7-gpu`, `docker push ${registry}:v7-cpu`]);
    expect(stdout).toBe(
      '--param "embedderImage=vsearch-embedder:v7-gpu" --param "queryImage=vsearch-embedder:v7-cpu" --param "modelId=Xenova/clip-vit-base-patch32"\n',
    );
  });

  test('refuses a CPU image over the 10 GB serverless inference takes, and does not push it', async () => {
    const { code, stderr, calls } = await build(['eu-west-1', 'vsearch-embedder', 'v7', 'Xenova/clip-vit-base-patch32'], 11e9);
    expect({ code, stderr }).toEqual({ code: 1, stderr: expect.stringContaining('over the 10 GB serverless inference allows') });
    expect(calls.filter((call) => call.startsWith('docker push '))).toEqual([expect.stringMatching(/:v7-gpu$/)]);
  });

  test('needs the model id: without it, it builds nothing', async () => {
    const { code, stderr, calls } = await build(['eu-west-1', 'vsearch-embedder', 'v7'], 2e9);
    expect({ code, stderr, calls }).toEqual({ code: 2, stderr: expect.stringMatching(/^usage: /), calls: [] });
  });
});

describe('changing the instance type of the async endpoint', () => {
  // AWS (SageMaker, "Update endpoints that use auto scaling"): "If the update would change the instance type for any
  // model that is a target for auto scaling, the update fails." So the instance type is in the endpoint's name: another
  // type is another name, which CloudFormation can only meet by creating a new endpoint (EndpointName: update requires
  // replacement), with a new scalable target, and deleting the old ones.
  const endpointName = (stack: PackagedStack['template']) => evaluate(stack.Resources.AsyncEndpoint.Properties.EndpointName) as string;

  test('the endpoint is named after its instance type, so another type replaces it and its scaling', async () => {
    const { template: g6 } = await packagedStack({ asyncInstanceType: 'ml.g6.12xlarge' });
    expect([endpointName(template), endpointName(g6)]).toEqual(['vsearch-ci-jobs-ml-g5-xlarge', 'vsearch-ci-jobs-ml-g6-12xlarge']);
    for (const name of [endpointName(template), endpointName(g6)]) {
      // AWS: endpoint names are 1–63 characters of [a-zA-Z0-9](-*[a-zA-Z0-9])*.
      expect(name).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/);
    }
    // The scaling follows the endpoint by its name; the config keeps a generated name, new on each replacement.
    expect(properties('AsyncScalableTarget').ResourceId).toEqual({ 'Fn::Sub': 'endpoint/${AsyncEndpoint.EndpointName}/variant/AllTraffic' });
    expect(asyncVariant().VariantName).toBe('AllTraffic');
    for (const policy of ['AsyncBacklogTracking', 'AsyncWakeFromZero', 'AsyncScaleInWhenIdle']) {
      expect(properties(policy).ScalingTargetId).toEqual({ Ref: 'AsyncScalableTarget' });
    }
    expect(properties('AsyncEndpointConfig').EndpointConfigName).toBeUndefined();
  });
});

describe('idle cost of the async endpoint', () => {
  /** The step a step-scaling policy takes for a metric value, its bounds relative to the alarm threshold (AWS). */
  const stepFor = (policy: Json, metric: number, threshold: number) =>
    policy.StepScalingPolicyConfiguration.StepAdjustments.find((step: Json) => {
      const [lower, upper] = [step.MetricIntervalLowerBound ?? -Infinity, step.MetricIntervalUpperBound ?? Infinity];
      return metric - threshold >= lower && metric - threshold <= upper;
    });

  test('it starts with the one instance AWS requires and scales in to zero after 10 idle minutes, from the deploy on', () => {
    expect(asyncVariant().InitialInstanceCount).toBe(1);
    expect(properties('AsyncScalableTarget').MinCapacity).toBe(0);
    const idle = properties('AsyncIdle');
    expect(idle).toMatchObject({
      Namespace: 'AWS/SageMaker',
      // Counts the jobs queued and those being processed: 0 means no job would be cut short.
      MetricName: 'ApproximateBacklogSize',
      Dimensions: [{ Name: 'EndpointName', Value: { 'Fn::GetAtt': ['AsyncEndpoint', 'EndpointName'] } }],
      Statistic: 'Maximum',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'missing',
      AlarmActions: [{ Ref: 'AsyncScaleInWhenIdle' }],
    });
    expect(idle.Period * idle.EvaluationPeriods).toBe(600);
    expect(idle.DatapointsToAlarm).toBe(idle.EvaluationPeriods);
    const policy = properties('AsyncScaleInWhenIdle');
    expect(policy).toMatchObject({ PolicyType: 'StepScaling', ScalingTargetId: { Ref: 'AsyncScalableTarget' } });
    expect(policy.StepScalingPolicyConfiguration.AdjustmentType).toBe('ExactCapacity');
    expect(stepFor(policy, 0, idle.Threshold)?.ScalingAdjustment).toBe(0);
  });

  test('the idle and wake alarms cannot both be in ALARM: idle needs an empty backlog, wake a queued job', () => {
    const [idle, wake] = [properties('AsyncIdle'), properties('AsyncHasBacklogWithoutCapacity')];
    // HasBacklogWithoutCapacity is 1 when jobs are queued and no instance runs, else 0.
    expect(wake).toMatchObject({ MetricName: 'HasBacklogWithoutCapacity', ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1 });
    expect(idle).toMatchObject({ MetricName: 'ApproximateBacklogSize', Statistic: 'Maximum', ComparisonOperator: 'LessThanThreshold', Threshold: 1 });
    expect(stepFor(properties('AsyncWakeFromZero'), 1, wake.Threshold)?.ScalingAdjustment).toBe(1);
  });
});

describe('the embedder models and endpoints', () => {
  test('the two models run different images: the GPU one (embedderImage) and the CPU one (queryImage)', () => {
    const uri = (model: string) => properties(model).PrimaryContainer.Image['Fn::Sub'];
    const registry = '${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/';
    expect(uri('EmbedderGpuModel')).toBe(`${registry}semantic-video-search-embedder:latest-gpu`);
    expect(uri('EmbedderCpuModel')).toBe(`${registry}semantic-video-search-embedder:latest-cpu`);
    const pull = properties('SageMakerExecutionRole').Policies[0].PolicyDocument.Statement.find((s: Json) => s.Sid === 'PullImage');
    expect(pull.Resource.map((arn: Json) => arn['Fn::Sub'][1].Repository['Fn::Select'][1]['Fn::Split'][1])).toEqual([
      'semantic-video-search-embedder:latest-gpu',
      'semantic-video-search-embedder:latest-cpu',
    ]);
  });

  test('the query model runs on the CPU, on serverless inference within its memory range', () => {
    expect(properties('EmbedderCpuModel').PrimaryContainer.Environment.DEVICE).toBe('cpu');
    const variant = queryVariant();
    // AWS: serverless inference has no GPU and takes 1024–6144 MB in 1 GB steps.
    expect(variant.InstanceType).toBeUndefined();
    expect(variant.ServerlessConfig.MemorySizeInMB % 1024).toBe(0);
    expect(variant.ServerlessConfig.MemorySizeInMB).toBeGreaterThanOrEqual(1024);
    expect(variant.ServerlessConfig.MemorySizeInMB).toBeLessThanOrEqual(6144);
  });

  test('the async variant bounds how long its container may take to answer /ping after start', () => {
    // AWS: ContainerStartupHealthCheckTimeoutInSeconds, 60 to 3600.
    const timeout = asyncVariant().ContainerStartupHealthCheckTimeoutInSeconds;
    expect(timeout).toBeGreaterThanOrEqual(60);
    expect(timeout).toBeLessThanOrEqual(3600);
  });

  // AWS: a SageMaker container is not told its region reliably; the SDK inside it needs AWS_REGION.
  test.each(['EmbedderGpuModel', 'EmbedderCpuModel'])('%s passes the stack region as AWS_REGION', (model) => {
    expect(properties(model).PrimaryContainer.Environment.AWS_REGION).toEqual({ Ref: 'AWS::Region' });
  });
});
