/**
 * A test endpoint for the simulator's SNS deliveries (used by test/integration/marketplace-*):
 * confirms subscriptions by visiting the SubscribeURL (routed to the simulator's local SNS
 * stand-in), records every message it gets, and can fail the next N deliveries with a 500 to
 * exercise SNS retries. Lives outside test/integration so jest does not run it as a test file.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLocal, type LocalServer } from '../../sandbox/http-util';
import { createSnsRoutingHttpGet } from '../../sandbox/sns-routing-http-get';

export interface CollectedMessage {
  type: string;
  messageId: string;
  topicArn: string;
  signatureVersion: string;
  /** The SNS envelope as received. */
  envelope: Record<string, string>;
  /** The parsed `Message` of a Notification. */
  payload?: Record<string, unknown>;
}

export class SnsCollector {
  readonly received: CollectedMessage[] = [];
  /** Answer the next this-many notifications with 500 (SNS retries them). */
  failNext = 0;
  private server: LocalServer | undefined;

  constructor(private readonly sim: { snsLocalUrl: string; region: string }) {}

  get url(): string {
    if (!this.server) throw new Error('collector not started');
    return this.server.url;
  }

  async start(): Promise<void> {
    const httpGet = createSnsRoutingHttpGet({
      localUrl: this.sim.snsLocalUrl,
      regions: [this.sim.region],
    });
    this.server = await listenLocal((req, res) => void this.handle(req, res, httpGet));
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }

  notifications(): CollectedMessage[] {
    return this.received.filter((m) => m.type === 'Notification');
  }

  /** Notification payloads of one topic, in arrival order. */
  payloads(topicArn?: string): Array<Record<string, unknown>> {
    return this.notifications()
      .filter((m) => topicArn === undefined || m.topicArn === topicArn)
      .flatMap((m) => (m.payload ? [m.payload] : []));
  }

  private async handle(
    req: IncomingMessage,
    res: ServerResponse,
    httpGet: ReturnType<typeof createSnsRoutingHttpGet>,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const envelope = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, string>;
    const message: CollectedMessage = {
      type: envelope.Type,
      messageId: envelope.MessageId,
      topicArn: envelope.TopicArn,
      signatureVersion: envelope.SignatureVersion,
      envelope,
    };
    if (envelope.Type === 'Notification') {
      if (this.failNext > 0) {
        this.failNext -= 1;
        this.received.push({ ...message, type: 'Failed' });
        res.writeHead(500).end();
        return;
      }
      message.payload = JSON.parse(envelope.Message) as Record<string, unknown>;
    }
    this.received.push(message);
    if (envelope.Type === 'SubscriptionConfirmation')
      await httpGet(envelope.SubscribeURL, { timeoutMs: 2000 });
    res.writeHead(200).end();
  }
}
