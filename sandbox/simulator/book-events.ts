/**
 * The AsyncAPI events the offer book's changes cause, built with the payload of their channel
 * and handed to every listener synchronously and in order (the simulator publishes each as an
 * SNS message on the organisation's topic).
 */
import { randomUUID } from 'node:crypto';
import {
  isOneOf,
  type SimulatorEvent,
  type WireInboxOfferEvent,
  type WireInboxReferralEvent,
  type WireOutboxOfferEvent,
  type WireOutboxReferralEvent,
} from './model';
import type { OrganizationRegistry } from './organizations';
import type { StoredOffer, StoredReferral } from './offer-views';

const INBOX_OFFER_EVENTS = [
  'OfferMatched',
  'OfferClosed',
  'OfferExpired',
  'OfferFulfilled',
] as const;
const OUTBOX_OFFER_EVENTS = [
  'OfferAccepted',
  'OfferDeclined',
  'OfferDeclinedByAll',
  'OfferExpired',
] as const;
const INBOX_REFERRAL_EVENTS = ['ReferralCreated', 'ReferralDemandCancelled'] as const;
const OUTBOX_REFERRAL_EVENTS = [
  'ReferralCreated',
  'ReferralProcessed',
  'ReferralSupplyCancelled',
] as const;

export class BookEvents {
  private readonly listeners: Array<(event: SimulatorEvent) => void> = [];

  constructor(
    private readonly organizations: OrganizationRegistry,
    private readonly now: () => Date,
  ) {}

  /** Told about every event a change causes, synchronously and in order. */
  onEvent(listener: (event: SimulatorEvent) => void): void {
    this.listeners.push(listener);
  }

  /** An offer event on a supply organisation's `inbox-offers` or a demand's `outbox-offers`. */
  offer(
    channel: 'inbox-offers',
    organizationId: string,
    eventName: WireInboxOfferEvent['event_name'],
    offerId: string,
  ): void;
  offer(
    channel: 'outbox-offers',
    organizationId: string,
    eventName: WireOutboxOfferEvent['event_name'],
    offerId: string,
  ): void;
  offer(
    channel: 'inbox-offers' | 'outbox-offers',
    organizationId: string,
    eventName: string,
    offerId: string,
  ): void {
    const base = {
      event_source: 'alayamarket.offers' as const,
      id: offerId,
      event_id: randomUUID(),
      timestamp: this.now().toISOString(),
      offer_id: offerId,
    };
    const event: SimulatorEvent | undefined =
      channel === 'inbox-offers' && isOneOf(eventName, INBOX_OFFER_EVENTS)
        ? { channel, organizationId, payload: { ...base, event_name: eventName } }
        : channel === 'outbox-offers' && isOneOf(eventName, OUTBOX_OFFER_EVENTS)
          ? { channel, organizationId, payload: { ...base, event_name: eventName } }
          : undefined;
    if (event) this.emit(event);
  }

  /** A referral event on the supply side's `inbox-referrals` or the demand's `outbox-referrals`. */
  referral(
    channel: 'inbox-referrals',
    eventName: WireInboxReferralEvent['event_name'],
    stored: StoredReferral,
    offer: StoredOffer,
  ): void;
  referral(
    channel: 'outbox-referrals',
    eventName: WireOutboxReferralEvent['event_name'],
    stored: StoredReferral,
    offer: StoredOffer,
  ): void;
  referral(
    channel: 'inbox-referrals' | 'outbox-referrals',
    eventName: string,
    stored: StoredReferral,
    offer: StoredOffer,
  ): void {
    const demand = this.organizations.party(stored.demandOrganizationId);
    const supply = this.organizations.party(stored.supplyOrganizationId);
    if (!demand || !supply) return;
    const organizationId =
      channel === 'inbox-referrals' ? stored.supplyOrganizationId : stored.demandOrganizationId;
    const base = {
      event_source: 'alayamarket.referrals' as const,
      id: stored.referral.id,
      event_id: randomUUID(),
      timestamp: this.now().toISOString(),
      referral_id: stored.referral.id,
      sequence_id: stored.referral.sequence_id,
      client: { id: offer.detail.client.id, outbox_id: offer.detail.client.outbox_id },
      demand,
      supply,
    };
    const event: SimulatorEvent | undefined =
      channel === 'inbox-referrals' && isOneOf(eventName, INBOX_REFERRAL_EVENTS)
        ? { channel, organizationId, payload: { ...base, event_name: eventName } }
        : channel === 'outbox-referrals' && isOneOf(eventName, OUTBOX_REFERRAL_EVENTS)
          ? { channel, organizationId, payload: { ...base, event_name: eventName } }
          : undefined;
    if (event) this.emit(event);
  }

  private emit(event: SimulatorEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
