/**
 * `connector subscribe [--call]`: what AlayaCare needs to deliver the marketplace's events to this
 * connector: the endpoint URL and the topics of the connector's role (ROLE_TOPICS, with their
 * events from TOPIC_EVENTS). By default prints the e-mail to send; `--call` subscribes through
 * `POST /organizations/v1/subscribe` with the connector's marketplace login (needs the org_admin
 * role). The receiver's shared-secret password is never printed: the text names its secret.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretCredentials } from '../../lambdas/adapters/credentials';
import { MarketplaceClient } from '../../lambdas/adapters/marketplace-client';
import { ROLE_TOPICS } from '../../lambdas/core/config';
import { TOPIC_EVENTS } from '../../lambdas/core/events';
import type { MarketplaceCredentials } from '../../lambdas/core/ports';
import { EXIT } from './args';
import type { CommandResult } from './output';
import type { CommandContext, ConnectorResources } from './resources';

export const SUBSCRIBE_USAGE = `usage: npx connector subscribe [--call] [--sandbox] [--json] [--region R]

Prints the e-mail to send AlayaCare: the endpoint URL and the topics for the connector's role.
--call  subscribe now instead, through POST /organizations/v1/subscribe with the connector's
        marketplace login (AWS: the credentials secret; the login needs the org_admin role).`;

/** The user of the receiver's HTTP Basic password (lambdas/receiver/shared-secret.ts). */
const SHARED_SECRET_USER = 'connector';

/** The endpoint as it may be printed: with a placeholder where the shared-secret password goes. */
function printableEndpoint(resources: ConnectorResources): string {
  if (resources.sharedSecretArn === undefined) return resources.endpointUrl;
  const url = new URL(resources.endpointUrl);
  return `${url.protocol}//${SHARED_SECRET_USER}:<password>@${url.host}${url.pathname}${url.search}`;
}

export function subscriptionEmail(resources: ConnectorResources): string[] {
  const topics = ROLE_TOPICS[resources.role];
  return [
    'To: your AlayaCare Marketplace contact',
    'Subject: SNS subscription for our marketplace connector',
    '',
    'Hello,',
    '',
    `please subscribe our connector (role: ${resources.role}) to the marketplace notifications of our organisation:`,
    '',
    `  endpoint (protocol https): ${printableEndpoint(resources)}`,
    '  topics:',
    ...topics.map((topic) => `    ${topic}  (${TOPIC_EVENTS[topic].join(', ')})`),
    '',
    'The endpoint confirms each subscription by itself. Please tell us once it is done, and warn us',
    'before a topic is unsubscribed or renamed.',
    '',
    'Thank you',
    ...(resources.sharedSecretArn !== undefined
      ? [
          '',
          `(Before sending: replace <password> with the first password in the secret ${resources.sharedSecretArn}; send it by a safe channel.)`,
        ]
      : []),
  ];
}

/** A Secrets Manager string, read in the stacks' region (errors name the secret, never its value). */
async function secretString(region: string, secretArn: string): Promise<string> {
  const client = new SecretsManagerClient({ region });
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (SecretString === undefined) throw new Error(`secret ${secretArn} has no string value`);
    return SecretString;
  } finally {
    client.destroy();
  }
}

function credentialsOf(resources: ConnectorResources): () => Promise<MarketplaceCredentials> {
  const login = resources.marketplace.login;
  if ('username' in login)
    return () => Promise.resolve({ username: login.username, password: login.password });
  return secretCredentials(login.secretArn, {
    readSecret: async (name) => JSON.parse(await secretString(resources.region, name)) as unknown,
  });
}

/** The endpoint with the shared-secret password in it (never printed). */
async function callableEndpoint(resources: ConnectorResources): Promise<string> {
  if (resources.sharedSecretArn === undefined) return resources.endpointUrl;
  const password =
    (await secretString(resources.region, resources.sharedSecretArn)).trim().split(/\s+/)[0] ?? '';
  const url = new URL(resources.endpointUrl);
  url.username = SHARED_SECRET_USER;
  url.password = password;
  return url.toString();
}

export async function subscribe(
  ctx: CommandContext,
  options: { call: boolean; client?: Pick<MarketplaceClient, 'subscribe'> },
): Promise<CommandResult> {
  const { resources } = ctx;
  const topics = [...ROLE_TOPICS[resources.role]];
  const endpoint = printableEndpoint(resources);
  if (!options.call) {
    return {
      code: EXIT.ok,
      data: { endpoint, role: resources.role, topics, called: false },
      lines: subscriptionEmail(resources),
    };
  }
  ctx.progress.step('subscribe: calling the marketplace');
  const client =
    options.client ??
    new MarketplaceClient({
      baseUrl: resources.marketplace.baseUrl,
      credentials: credentialsOf(resources),
    });
  const target = await callableEndpoint(resources);
  const response = await client.subscribe(
    topics.map((topic) => ({ topic, protocol: 'https' as const, endpoint: target })),
  );
  ctx.progress.done();
  const subscriptions = response.subscriptions.map((s) => ({
    topic: s.topic,
    protocol: s.protocol,
    subscriptionArn: s.subscription_arn,
  }));
  return {
    code: EXIT.ok,
    data: { endpoint, role: resources.role, topics, called: true, subscriptions },
    lines: [
      `subscribed ${endpoint}:`,
      ...subscriptions.map((s) => `  ${s.topic}: ${s.subscriptionArn}`),
      'each subscription is confirmed by the receiver when SNS asks',
    ],
  };
}
