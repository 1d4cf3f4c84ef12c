import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Client } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';

/**
 * A client for an OpenSearch Serverless collection (`endpoint`: the collection endpoint,
 * `https://<id>.<region>.aoss.amazonaws.com`), signing requests with the Lambda's credentials. The service must be
 * `aoss`: the signer's default, `es`, is refused.
 */
export function openSearchClient({ endpoint, region }: { endpoint: string; region: string }): Client {
  return new Client({
    ...AwsSigv4Signer({ region, service: 'aoss', getCredentials: defaultProvider() }),
    node: endpoint,
  });
}
