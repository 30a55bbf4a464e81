/**
 * Watches the connector's store while a run plays: reads each offer's record until it holds a
 * settled decision, prints one `decided ...` line per offer the first time it does, and tells the
 * run how many offers are still open and when anything last changed. Reading the records (rather
 * than hooking the worker's writes) keeps it right whichever way the worker writes a decision, and
 * settled offers are not read again.
 */
import type { OfferRecord, OfferStore, RecordedDecision } from '../lambdas/core/ports';
import { answeredWithShift, settledDecision, short } from './outcomes';
import type { WireInboxOfferDetail } from './simulator/model';

export interface DecisionWatchOptions {
  store: Pick<OfferStore, 'getOffer'>;
  print: (line: string) => void;
  /** How the offer is named in the story (no client data). */
  describe: (offerId: string) => string;
  /** LEGACY (see `answeredWithShift`): count a shift partner answered by another offer's call as decided. */
  legacyShiftFallback: boolean;
}

export class DecisionWatch {
  /** Offers seen settled: their own decision, or `shift` for the legacy fallback. */
  private readonly settled = new Map<string, RecordedDecision | 'shift'>();
  private changedAt = Date.now();

  constructor(private readonly options: DecisionWatchOptions) {}

  /** When an offer was last seen settling (epoch ms; the watch's start before any). */
  get lastChangeAt(): number {
    return this.changedAt;
  }

  /** Reads the offers not yet settled, prints those that have settled since; returns the ids still open. */
  async poll(offers: readonly WireInboxOfferDetail[]): Promise<string[]> {
    const open = offers.filter((d) => !this.settled.has(d.offer.id));
    const records = await Promise.all(
      open.map(async (d) => [d, await this.options.store.getOffer(d.offer.id)] as const),
    );
    for (const [d, record] of records) {
      const decision = settledDecision(record);
      if (decision) this.settle(d, decision);
    }
    if (this.options.legacyShiftFallback) {
      for (const [d, record] of records)
        if (!this.settled.has(d.offer.id)) this.settleWithShift(d, record, offers);
    }
    return offers.filter((d) => !this.settled.has(d.offer.id)).map((d) => d.offer.id);
  }

  private settle(d: WireInboxOfferDetail, decision: RecordedDecision): void {
    this.settled.set(d.offer.id, decision);
    this.changedAt = Date.now();
    const shift = d.offer.shift_id ? ` [shift ${short(d.offer.shift_id)}]` : '';
    const resolved =
      decision.state === 'resolved' ? ` (resolved: ${decision.resolution ?? 'unknown'})` : '';
    this.options.print(
      `decided ${short(d.offer.id)} ${this.options.describe(d.offer.id)} -> ${decision.action} (rule: ${decision.rule})${resolved}${shift}`,
    );
  }

  private settleWithShift(
    d: WireInboxOfferDetail,
    record: OfferRecord | undefined,
    offers: readonly WireInboxOfferDetail[],
  ): void {
    const shiftId = d.offer.shift_id;
    if (!shiftId) return;
    const partners = offers
      .filter((p) => p.offer.shift_id === shiftId && p.offer.id !== d.offer.id)
      .map((p) => this.settled.get(p.offer.id))
      .map((s) => (s === 'shift' ? undefined : s));
    const via = answeredWithShift(record, partners);
    if (!via) return;
    this.settled.set(d.offer.id, 'shift');
    this.changedAt = Date.now();
    this.options.print(
      `decided ${short(d.offer.id)} ${this.options.describe(d.offer.id)} -> ${via.action} (with its shift) [shift ${short(shiftId)}]`,
    );
  }
}
