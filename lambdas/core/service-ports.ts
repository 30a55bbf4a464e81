/**
 * The core's smaller ports: where the rules come from, how a person is told about an offer, the
 * event queue, and the receiver's HTTP GET. Adapters implement them for AWS and HTTP.
 */
import type { Rules } from './rules-schema';
import type { QueuedEvent } from './events';

// Rules and notifications

/** The rules in force and their version (recorded with every decision). */
export interface RulesSnapshot {
  rules: Rules;
  version: string;
}

/**
 * Where the worker reads its rules: a cached, validated store in AWS that keeps the last good
 * version when a new one is invalid; a fixed set in tests and the sandbox.
 */
export interface RulesSource {
  current(): Promise<RulesSnapshot>;
}

/**
 * What a person is told about an offer that needs them (a `review` decision, or a demand-side
 * alert). Ids, types, city and time only: never the client's name, address or health data.
 */
export interface OfferNotification {
  kind: 'review' | 'declined-by-all' | 'expired';
  offerId: string;
  shiftId?: string;
  careType?: string;
  offerType?: string;
  city?: string;
  startAt?: string;
  rule?: string;
  explanation?: string[];
}

/** Sends notifications (an SNS topic in AWS); resolves once the message is accepted. */
export interface Notifier {
  notify(notification: OfferNotification): Promise<void>;
}

// Queue

export interface EventQueue {
  /** Resolves only once SQS has stored the message; returns the SQS MessageId. */
  send(
    event: QueuedEvent,
    attributes: { snsMessageId: string; correlationId: string },
  ): Promise<string>;
}

// HTTP for the receiver (certificate fetch, subscription confirmation)

export interface HttpGetResult {
  status: number;
  body: string;
}

/** A GET with a timeout; rejects on network errors and timeouts. */
export type HttpGet = (url: string, options: { timeoutMs: number }) => Promise<HttpGetResult>;
