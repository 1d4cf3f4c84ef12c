import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { z } from 'zod';
import { EncoderUnavailableError, QueryRejectedError, type Query, type QueryEncoder } from '../query-encoder';
import { IndexMismatchError } from '../store/errors';

const ANSWER = z.object({ model: z.string(), dim: z.number().int(), embedding: z.array(z.number()) });

/** Errors of InvokeEndpoint that mean "not now" rather than "never". */
const TRANSIENT = new Set(['ThrottlingException', 'ServiceUnavailable', 'ModelNotReadyException', 'InternalFailure', 'InternalDependencyException']);

/**
 * Encodes queries on the real-time SageMaker endpoint running `containers/embedder` (its query contract:
 * `{"text"?, "image"? (base64), "imageWeight"?}` → `{"model","dim","embedding"}`). The model and dimension are
 * configured with the deployment, so a query is checked against the index before the endpoint is called.
 */
export class SageMakerQueryEncoder implements QueryEncoder {
  constructor(
    private readonly client: SageMakerRuntimeClient,
    private readonly endpointName: string,
    readonly model: string,
    readonly dim: number,
  ) {}

  async encode(query: Query): Promise<Float32Array> {
    const body = JSON.stringify({
      text: query.text,
      image: query.image ? Buffer.from(query.image).toString('base64') : undefined,
      imageWeight: query.imageWeight,
    });
    let answer: z.infer<typeof ANSWER>;
    try {
      const response = await this.client.send(
        new InvokeEndpointCommand({ EndpointName: this.endpointName, ContentType: 'application/json', Accept: 'application/json', Body: body }),
      );
      answer = ANSWER.parse(JSON.parse(Buffer.from(response.Body ?? new Uint8Array()).toString('utf8')));
    } catch (error) {
      throw classify(error);
    }
    if (answer.model !== this.model || answer.dim !== this.dim || answer.embedding.length !== this.dim) {
      throw new IndexMismatchError(
        `the query endpoint serves ${answer.model} (${answer.dim}-d) but the deployment is configured for ${this.model} (${this.dim}-d)`,
      );
    }
    return Float32Array.from(answer.embedding);
  }
}

function classify(error: unknown): Error {
  const { name, $metadata, OriginalStatusCode, OriginalMessage } = error as {
    name?: string;
    $metadata?: { httpStatusCode?: number };
    OriginalStatusCode?: number;
    OriginalMessage?: string;
  };
  if (name === 'ModelError' && OriginalStatusCode && OriginalStatusCode >= 400 && OriginalStatusCode < 500) {
    return new QueryRejectedError(containerMessage(OriginalMessage) ?? 'the query was refused by the embedding endpoint');
  }
  if ((name && TRANSIENT.has(name)) || ($metadata?.httpStatusCode ?? 0) >= 500 || name === 'ModelError') {
    return new EncoderUnavailableError(name ?? 'endpoint error');
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** The container answers `{"error":{"code","message"}}`; SageMaker passes it on as the original message. */
function containerMessage(original: string | undefined): string | undefined {
  try {
    return (JSON.parse(original ?? '') as { error?: { message?: string } }).error?.message;
  } catch {
    return original || undefined;
  }
}
