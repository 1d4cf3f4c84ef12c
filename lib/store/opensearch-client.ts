import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Client } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';

/**
 * A request's time limit: beyond the longest wake of a NextGen collection from zero (30 s from the request that
 * wakes it) plus the request's own work, so a write that came while the collection woke is not given up on and resent
 * (the client's default, 30 s, is just that wake). Callers that must answer sooner pass their own per request.
 */
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * A client for an OpenSearch Serverless collection (`endpoint`: the collection endpoint,
 * `https://<id>.<region>.aoss.amazonaws.com`), signing requests with the Lambda's credentials. The service must be
 * `aoss`: the signer's default, `es`, is refused.
 */
export function openSearchClient({ endpoint, region }: { endpoint: string; region: string }): Client {
  return new Client({
    ...AwsSigv4Signer({ region, service: 'aoss', getCredentials: defaultProvider() }),
    node: endpoint,
    requestTimeout: REQUEST_TIMEOUT_MS,
  });
}
