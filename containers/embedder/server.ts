/**
 * The embedder container's entry point (`docker run <image> serve`, or locally `npm run embedder`): listens at once,
 * answers /ping with 503 until the model is loaded, and on SIGTERM stops accepting connections, finishes the requests
 * in flight and exits 0. A model that fails to load exits 1, so the platform sees it at once; a bad setting, or no AWS
 * region, exits 2 before listening.
 */
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import { createServer } from './app';
import { configFromEnv, type EmbedderConfig } from './config';
import { loadServedModel } from './model';

const log = (fields: object) => console.log(JSON.stringify(fields));

/**
 * Presigned GET URLs are all the server makes with S3. Checksums only when required: a checksum mode signed into the
 * URL would have to be sent by ffmpeg too, and S3 stand-ins do not all know them.
 */
function s3Client(endpoint: string | undefined): S3Client {
  const checksums = { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } as const;
  if (endpoint === undefined) return new S3Client(checksums);
  return new S3Client({ ...checksums, endpoint, forcePathStyle: true, region: process.env.AWS_REGION ?? 'us-east-1' });
}

async function main(args: string[]): Promise<void> {
  if (args.length > 1 || (args.length === 1 && args[0] !== 'serve')) {
    console.error('usage: server.ts [serve]   (settings come from the environment, see containers/embedder/README.md)');
    process.exit(2);
  }
  let config: EmbedderConfig;
  try {
    config = configFromEnv(process.env);
  } catch (error) {
    console.error(`embedder: bad setting ${(error as Error).message}`);
    process.exit(2);
  }

  // The region comes from the SDK's chain (AWS_REGION, a profile). SageMaker does not tell a container its region
  // reliably (the models pass AWS_REGION in their Environment); without one every job would fail at its first S3 call,
  // long after /ping said healthy.
  const s3 = s3Client(config.s3Endpoint);
  if ((await s3.config.region().catch(() => undefined)) === undefined) {
    console.error('embedder: no AWS region: set AWS_REGION (the SageMaker models set it in their Environment)');
    process.exit(2);
  }

  const model = loadServedModel(config.model);
  const sources = { s3, allowLocal: config.allowLocalSources };
  const { server, drain } = createServer({ model, sources });
  server.listen(config.port, config.host, () => {
    log({ event: 'listening', host: config.host, port: (server.address() as AddressInfo).port });
  });
  model.then(
    // The speech recognition model loads with the first video job that needs it.
    ({ name, embedder, speech }) => log({ event: 'model_loaded', model: name, dim: embedder.dim, asr: speech?.model ?? null }),
    (error: unknown) => {
      log({ event: 'model_load_failed', message: error instanceof Error ? error.message : String(error) });
      process.exit(1);
    },
  );
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      log({ event: 'draining', signal });
      void drain().then(() => process.exit(0));
    });
  }
}

void main(process.argv.slice(2));
