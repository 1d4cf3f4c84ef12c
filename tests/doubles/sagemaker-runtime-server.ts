import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What one InvokeEndpoint call brought and what it was answered. */
export interface Invocation {
  endpointName: string;
  contentType?: string;
  accept?: string;
  body: Buffer;
  /** The status the caller got (200, 424 for a ModelError, …). */
  status: number;
  /** The error type the caller got, when not 200. */
  errorType?: string;
  /** The container's own status, when the call reached it. */
  containerStatus?: number;
}

/** Failures of the service itself, before the container is reached (see `failNext`). */
export type RuntimeFault = 'throttling' | 'service-unavailable' | 'model-not-ready';

export interface SageMakerRuntimeDoubleOptions {
  /** Each endpoint's name → the base URL of the container serving it (its `POST /invocations` is called). */
  endpoints: Record<string, string>;
  /** The region requests must be signed for; default us-east-1. */
  region?: string;
  /** Largest request body; default 4 MB, what a serverless endpoint takes. */
  maxPayloadBytes?: number;
}

export interface SageMakerRuntimeDouble {
  /** For `AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME` or a client's `endpoint`. */
  url: string;
  /** Every InvokeEndpoint call so far, in order. */
  invocations: Invocation[];
  /** The next `n` calls (SDK retries included) meet `fault` instead of the container. */
  failNext(n: number, fault: RuntimeFault): void;
  /** Forgets the invocations so far and the faults still queued. */
  reset(): void;
  close(): Promise<void>;
}

const ACCOUNT = '123456789012';
/** The serverless-inference limit on a request payload ("4 MB", read here as 4 MiB; responses have it too, unchecked here). */
const SERVERLESS_PAYLOAD_BYTES = 4 * 1024 * 1024;
/** A container must answer within 60 s. */
const CONTAINER_TIMEOUT_MS = 60_000;

const FAULTS: Record<RuntimeFault, { status: number; type: string; message: string }> = {
  // What the SDK's retry strategy counts as throttling; a serverless endpoint at its MaxConcurrency answers it.
  throttling: { status: 400, type: 'ThrottlingException', message: 'Rate exceeded' },
  'service-unavailable': { status: 503, type: 'ServiceUnavailable', message: 'The service is unavailable. Try your call again.' },
  'model-not-ready': { status: 429, type: 'ModelNotReadyException', message: "the serverless endpoint variant's resources are still being provisioned" },
};

/** An error answer: its status, its type (the x-amzn-ErrorType header the SDK names the error by) and JSON body. */
class RuntimeError extends Error {
  readonly body: Record<string, unknown>;
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.body = { message };
  }
}

const asRuntimeError = (error: unknown) =>
  error instanceof RuntimeError ? error : new RuntimeError(500, 'InternalFailure', 'An internal failure occurred.');

/** A ModelError (424) as the SDK reads it: the fields of its modelled shape in the JSON body. */
class ModelErrorAnswer extends RuntimeError {
  override readonly body: Record<string, unknown>;
  constructor(endpointName: string, message: string, originalStatus?: number, originalMessage?: string) {
    const logs = `https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEventViewer:group=/aws/sagemaker/Endpoints/${endpointName}`;
    const full = `${message} See ${logs} in account ${ACCOUNT} for more information.`;
    super(424, 'ModelError', full);
    this.body = {
      Message: full,
      LogStreamArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/sagemaker/Endpoints/${endpointName}`,
      ...(originalStatus === undefined ? {} : { OriginalStatusCode: originalStatus, OriginalMessage: originalMessage }),
    };
  }
}

/**
 * An HTTP server on 127.0.0.1 that answers SageMaker Runtime's InvokeEndpoint (restJson1, as the real
 * SageMakerRuntimeClient sends it: `POST /endpoints/{EndpointName}/invocations`, SigV4-signed for "sagemaker") by
 * calling a real container's `POST /invocations`, the way SageMaker hosting does:
 *
 * - the body passes through untouched, with Content-Type and Accept (other request headers are dropped);
 * - a container's 2xx comes back as 200 with its body and Content-Type, and x-Amzn-Invoked-Production-Variant;
 * - a container's 4xx or 5xx comes back as a ModelError (424) carrying OriginalStatusCode and OriginalMessage (the
 *   container's body as text), with SageMaker's "Received client/server error (…) from primary" message.
 *
 * It refuses what SageMaker refuses: another path or method, an unsigned request or one signed for another service
 * or region, an endpoint that does not exist (ValidationError), a body over the serverless limit (ValidationError;
 * the limit is documented, the wording of this refusal is this double's). A container that cannot be reached or does
 * not answer in 60 s is a ModelError without an original status. State is in memory.
 */
export async function startSageMakerRuntimeDouble(options: SageMakerRuntimeDoubleOptions): Promise<SageMakerRuntimeDouble> {
  const region = options.region ?? 'us-east-1';
  const maxPayload = options.maxPayloadBytes ?? SERVERLESS_PAYLOAD_BYTES;
  const invocations: Invocation[] = [];
  const faults: RuntimeFault[] = [];

  async function invoke(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/endpoints\/([^/?]+)\/invocations(?:\?|$)/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) throw new RuntimeError(404, 'UnknownOperationException', `no operation ${req.method} ${req.url}`);
    checkSignature(req.headers, region);
    const endpointName = decodeURIComponent(match[1]);
    const body = await readBody(req);
    const invocation: Invocation = {
      endpointName,
      contentType: req.headers['content-type'],
      accept: req.headers.accept,
      body,
      status: 0,
    };
    invocations.push(invocation);
    const answer = (status: number, headers: Record<string, string>, payload: string | Buffer, errorType?: string) => {
      Object.assign(invocation, { status, errorType });
      res.writeHead(status, { ...headers, 'Content-Length': Buffer.byteLength(payload) }).end(payload);
    };
    try {
      const container = options.endpoints[endpointName];
      if (!container) throw new RuntimeError(400, 'ValidationError', `Endpoint ${endpointName} of account ${ACCOUNT} not found.`);
      if (body.length > maxPayload) {
        throw new RuntimeError(400, 'ValidationError', `Request payload of ${body.length} bytes is over the limit of ${maxPayload} bytes.`);
      }
      const fault = faults.shift();
      if (fault) throw new RuntimeError(FAULTS[fault].status, FAULTS[fault].type, FAULTS[fault].message);

      const reply = await callContainer(container, req.headers, body).catch((error: Error) => {
        throw new ModelErrorAnswer(endpointName, `Your invocation could not reach container primary: ${error.message}`);
      });
      invocation.containerStatus = reply.status;
      if (reply.status >= 200 && reply.status < 300) {
        const type = reply.headers['content-type'] ?? 'application/octet-stream';
        answer(200, { 'Content-Type': type, 'x-Amzn-Invoked-Production-Variant': 'AllTraffic' }, reply.body);
        return;
      }
      const text = reply.body.toString('utf8');
      const kind = reply.status < 500 ? 'client' : 'server';
      throw new ModelErrorAnswer(endpointName, `Received ${kind} error (${reply.status}) from primary with message "${text}".`, reply.status, text);
    } catch (error) {
      const failure = asRuntimeError(error);
      answer(failure.status, errorHeaders(failure), JSON.stringify(failure.body), failure.type);
    }
  }

  const server = createServer((req, res) => {
    // Refused before it counts as an invocation (path, signature).
    invoke(req, res).catch((error: unknown) => {
      const failure = asRuntimeError(error);
      res.writeHead(failure.status, errorHeaders(failure)).end(JSON.stringify(failure.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    invocations,
    failNext(n, fault) {
      for (let i = 0; i < n; i++) faults.push(fault);
    },
    reset() {
      invocations.length = 0;
      faults.length = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const errorHeaders = (failure: RuntimeError) => ({ 'Content-Type': 'application/json', 'x-amzn-ErrorType': failure.type });

/** A SigV4 Authorization header scoped to this region and the "sagemaker" signing name (the signature itself is not recomputed). */
function checkSignature(headers: IncomingHttpHeaders, region: string): void {
  const authorization = headers.authorization;
  if (!authorization) throw new RuntimeError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
  const scope = /^AWS4-HMAC-SHA256 Credential=[^/]+\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$/.exec(authorization);
  if (!scope || !headers['x-amz-date']) throw new RuntimeError(403, 'IncompleteSignatureException', 'the Authorization header is not a SigV4 signature');
  const [, , signedRegion, service, signedHeaders] = scope;
  if (service !== 'sagemaker' || signedRegion !== region) {
    throw new RuntimeError(403, 'InvalidSignatureException', `Credential should be scoped to a valid region and service: ${signedRegion}/${service}`);
  }
  if (!signedHeaders.split(';').includes('host')) throw new RuntimeError(403, 'InvalidSignatureException', 'the host header must be signed');
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function callContainer(base: string, headers: IncomingHttpHeaders, body: Buffer): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  const forwarded: Record<string, string> = { 'Content-Length': String(body.length) };
  if (headers['content-type']) forwarded['Content-Type'] = headers['content-type'];
  if (headers.accept) forwarded.Accept = headers.accept;
  const custom = headers['x-amzn-sagemaker-custom-attributes'];
  if (typeof custom === 'string') forwarded['X-Amzn-SageMaker-Custom-Attributes'] = custom;
  return new Promise((resolve, reject) => {
    const call = request(`${base}/invocations`, { method: 'POST', headers: forwarded, agent: false, timeout: CONTAINER_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    call.on('timeout', () => call.destroy(new Error('the container did not answer within 60 seconds')));
    call.on('error', reject);
    call.end(body);
  });
}
