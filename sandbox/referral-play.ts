/**
 * The sandbox's referrals (role supply, plain `--once`): the simulator's demand organisation
 * assigns automatically, so every offer the connector accepts is won at once and the simulator
 * publishes `ReferralCreated` on the connector's `inbox-referrals` topic. The worker records the
 * win, marks the referral processed (the simulator sees the mark_processed calls) and puts
 * `ReferralReceived` on a local stand-in for the EventBridge bus, which keeps the events (and
 * prints one line each with `--verbose`).
 */
import type { ReferralEventPublisher, ReferralReceivedEvent } from '../lambdas/core/ports';
import { referralReceivedDetail } from '../lambdas/adapters/eventbridge-referral-publisher';
import { short } from './outcomes';
import type { MarketplaceSimulator } from './simulator/simulator';
import { waitUntil } from './timing';

/** The bus stand-in: the events it was given, as the EventBridge adapter would put them. */
export interface LocalReferralBus extends ReferralEventPublisher {
  readonly events: ReferralReceivedEvent[];
}

export function localReferralBus(print?: (line: string) => void): LocalReferralBus {
  const events: ReferralReceivedEvent[] = [];
  return {
    events,
    async publishReferralReceived(event) {
      const detail = referralReceivedDetail(event);
      events.push(detail);
      print?.(
        `bus     ReferralReceived referral ${short(detail.referralId)} offer ${short(detail.offerId)} ${detail.careType} ${detail.offerType}`,
      );
    },
  };
}

export interface ReferralReport {
  referrals: number;
  processed: number;
  forwarded: number;
  line: string;
  ok: boolean;
}

/**
 * Waits (up to `timeoutMs`) until every referral of the run is processed at the simulator and
 * forwarded once at least, then reports. Forwarding is at least once: distinct referral ids count.
 */
export async function waitForReferrals(input: {
  /** The simulator of a supply run: its every referral is the connector's. */
  simulator: Pick<MarketplaceSimulator, 'referrals'>;
  bus: LocalReferralBus;
  drained: () => Promise<boolean>;
  timeoutMs?: number;
  signal?: AbortSignal;
}): Promise<ReferralReport> {
  const count = () => {
    const ids = new Set(input.simulator.referrals().map((r) => r.id));
    const processed = input.simulator
      .referrals()
      .filter((r) => ids.has(r.id) && r.status === 'processed').length;
    const forwarded = new Set(input.bus.events.map((e) => e.referralId).filter((id) => ids.has(id)))
      .size;
    return { referrals: ids.size, processed, forwarded };
  };
  await waitUntil(
    async () => {
      const now = count();
      return (
        now.processed === now.referrals &&
        now.forwarded === now.referrals &&
        (await input.drained())
      );
    },
    input.timeoutMs ?? 15000,
    input.signal,
  );
  const { referrals, processed, forwarded } = count();
  return {
    referrals,
    processed,
    forwarded,
    line: `sandbox: referrals: ${referrals} won, ${processed} marked processed, ${forwarded} forwarded`,
    ok: processed === referrals && forwarded === referrals,
  };
}
