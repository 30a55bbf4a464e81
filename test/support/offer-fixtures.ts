/**
 * Offer fixtures for the worker's tests: the mapped `InboxOffer` the core sees, and the raw
 * `GET /offers/v1/inbox/offers/{id}` detail the API answers, complete with the client health data
 * (allergies, risks, custom fields) the adapter must drop. Values are made up.
 */
import type { QueuedEvent } from '../../lambdas/core/events';
import type { InboxOffer } from '../../lambdas/core/ports';

export const OFFER_ID = '7f1c2a9e-0b7d-4d0e-9a51-3c2b8f6e1d01';

/**
 * A matched, still pending and open inbox offer in Montréal, alone (no shift: its own decision
 * unit); override what a test varies, e.g. `shiftId` for an offer of a shift.
 */
export function inboxOffer(overrides: Partial<InboxOffer> = {}): InboxOffer {
  return {
    id: OFFER_ID,
    careType: 'psw',
    offerType: 'visit',
    expiresAt: '2026-05-02T12:00:00Z',
    startAt: '2026-05-03T09:00:00Z',
    endAt: '2026-05-03T10:00:00Z',
    match: { id: 'c0ffee00-1111-4222-8333-444455556666', response: 'pending', status: 'open' },
    location: {
      city: 'Montréal',
      state: 'QC',
      zip: 'H2X 1Y4',
      country: 'CA',
      approx: { latitude: 45.51, longitude: -73.57, radiusMeters: 500 },
    },
    demand: { id: 'd3e4f5a6-7777-4888-9999-aaaabbbbcccc', name: 'Demo Health Authority' },
    visits: [{ startAt: '2026-05-03T09:00:00Z', endAt: '2026-05-03T10:00:00Z' }],
    price: { rate: 30, unit: 'per_visit' },
    requiredSkills: ['personal care'],
    ...overrides,
  };
}

/** Health data planted in the raw detail; none of these strings may leave the adapter. */
export const PHI = {
  allergy: 'Penicillin-anaphylaxis-PHI',
  risk: 'Fall-risk-PHI',
  customField: 'Diagnosis-PHI',
  caseManager: 'Casey Manager-PHI',
  visitInstructions: 'Key under the mat-PHI',
  visitTask: 'Insulin injection-PHI',
  serviceInstructions: 'Wound dressing twice daily-PHI',
  serviceCustomField: 'Dementia care plan-PHI',
} as const;

/** The API's offer detail (spec shape `InboxOfferDetailResponse`) for `inboxOffer()`. */
export function offerDetailJson(offerId = OFFER_ID): Record<string, unknown> {
  return {
    offer: {
      id: offerId,
      shift_id: 'a3d7c0de-5f61-4b7b-8c1e-2f9a0b4c6d02',
      care_type: 'psw',
      offer_type: 'visit',
      expires_at: '2026-05-02T12:00:00Z',
      start_at: '2026-05-03T09:00:00Z',
      end_at: '2026-05-03T10:00:00Z',
      created_at: '2026-05-01T08:00:00Z',
      comment: 'weekday mornings',
    },
    match: {
      id: 'c0ffee00-1111-4222-8333-444455556666',
      response: 'pending',
      status: 'open',
      sequence_id: 'b1b2b3b4-0000-4000-8000-000000000001',
      created_at: '2026-05-01T08:00:05Z',
    },
    demand: { id: 'd3e4f5a6-7777-4888-9999-aaaabbbbcccc', name: 'Demo Health Authority' },
    client: {
      address: {
        city: 'Montréal',
        state: 'QC',
        zip: 'H2X 1Y4',
        country: 'CA',
        approx_latitude: 45.51,
        approx_longitude: -73.57,
        approx_radius_meters: 500,
      },
      allergies: [{ category: 'drug', name: PHI.allergy, severity: 'high' }],
      risks: [{ category: 'mobility', name: PHI.risk, severity: 3 }],
      custom_fields: [{ name: 'diagnosis', value: PHI.customField }],
    },
    case_manager: { name: PHI.caseManager, email: 'casey@example.org' },
    service: {
      id: 'e5e5e5e5-0000-4000-8000-000000000002',
      name: 'Personal support',
      skills: ['personal care'],
      instructions: PHI.serviceInstructions,
      custom_fields: [{ name: 'care plan', value: PHI.serviceCustomField }],
    },
    price: { rate: 30, unit: 'per_visit' },
    visits: [
      {
        id: 'f6f6f6f6-0000-4000-8000-000000000003',
        start_at: '2026-05-03T09:00:00Z',
        end_at: '2026-05-03T10:00:00Z',
        instructions: PHI.visitInstructions,
        tasks: [{ name: PHI.visitTask }],
      },
    ],
  };
}

let eventCounter = 0;

/** A marketplace event as published on SNS (AsyncAPI shape); a fresh event_id each call. */
export function offerEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  eventCounter += 1;
  return {
    event_id: `0e0e0e0e-0000-4000-8000-${String(eventCounter).padStart(12, '0')}`,
    event_name: 'OfferMatched',
    event_source: 'alayamarket.offers',
    timestamp: '2026-05-01T08:00:10Z',
    id: OFFER_ID,
    offer_id: OFFER_ID,
    ...overrides,
  };
}

/** The receiver's SQS envelope around a marketplace event (or any raw message string). */
export function queuedEvent(
  event: Record<string, unknown> | string,
  snsMessageId = `sns-${eventCounter}`,
): QueuedEvent {
  return {
    version: 1,
    origin: 'sns',
    topicArn: 'arn:aws:sns:ca-central-1:123456789012:inbox-offers',
    snsMessageId,
    publishedAt: '2026-05-01T08:00:11Z',
    message: typeof event === 'string' ? event : JSON.stringify(event),
  };
}

/** A queued OfferMatched for the offer `offerId`, its event id the same. */
export const matched = (offerId: string) =>
  queuedEvent(offerEvent({ offer_id: offerId, id: offerId }));
