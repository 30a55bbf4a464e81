/**
 * Fault injection for the simulator, set per run (and changeable while it runs): added latency,
 * a share of 5xx and 429 answers, requests that never get an answer, short token lifetimes, and
 * dropped, duplicated and reordered SNS deliveries. All chances come from one seeded generator,
 * so a run with the same seed and the same requests injects the same faults. Scripted faults
 * (`script`) hit the next matching requests exactly, for tests that need one fault at one place.
 */
import { seededRandom } from './seeded-random';

export interface ApiFaults {
  /** Added to every API answer (plus up to `latencyJitterMs` more, at random). */
  latencyMs?: number;
  latencyJitterMs?: number;
  /** Share of requests answered 503 before anything is done. */
  errorRate?: number;
  /** Share of POST requests that take effect but are answered 502: the caller cannot tell. */
  errorAfterRate?: number;
  /** Share of requests answered 429 with `Retry-After: retryAfterSeconds` (default 1). */
  throttleRate?: number;
  retryAfterSeconds?: number;
  /** Share of requests never answered (POSTs take effect first): the caller's timeout ends them. */
  timeoutRate?: number;
}

export interface DeliveryFaults {
  /** Share of SNS messages never delivered. */
  dropRate?: number;
  /** Share delivered twice (the same signed message). */
  duplicateRate?: number;
  /** Share held back and delivered after the next message to the same subscription. */
  reorderRate?: number;
}

export interface FaultPlan {
  seed?: number;
  api?: ApiFaults;
  delivery?: DeliveryFaults;
}

export type ApiFaultKind = 'error' | 'error-after' | 'throttle' | 'timeout';

/** A fault for the next request(s) matching `method` and `path` (substring or pattern). */
export interface ScriptedFault {
  kind: ApiFaultKind;
  method?: string;
  path?: string | RegExp;
  /** How many matching requests it hits (default 1). */
  times?: number;
  /** For `error`/`error-after` (default 503 / 502). */
  status?: number;
  /** For `throttle`: the Retry-After header (default `1`). */
  retryAfter?: string;
}

export interface ApiFaultDecision {
  kind: ApiFaultKind;
  status: number;
  retryAfter?: string;
}

export type DeliveryDecision = 'deliver' | 'drop' | 'duplicate' | 'reorder';

export class FaultInjector {
  private plan: FaultPlan = {};
  private random: () => number = seededRandom(1);
  private readonly scripted: Array<ScriptedFault & { left: number }> = [];
  /** Every fault injected, in order, for tests and the CLI. */
  readonly log: Array<{ kind: ApiFaultKind | DeliveryDecision; method?: string; path?: string }> =
    [];
  /** API requests that met the injector (faulted or not), so a run can tell the share it faulted. */
  requests = 0;

  constructor(plan: FaultPlan = {}) {
    this.set(plan);
  }

  /** Replaces the plan and restarts the seeded generator. */
  set(plan: FaultPlan): void {
    this.plan = structuredClone({
      ...plan,
      api: plan.api ? { ...plan.api } : undefined,
      delivery: plan.delivery ? { ...plan.delivery } : undefined,
    });
    this.random = seededRandom(plan.seed ?? 1);
  }

  script(...faults: ScriptedFault[]): void {
    for (const fault of faults) this.scripted.push({ ...fault, left: fault.times ?? 1 });
  }

  /** Clears the plan, any scripted faults left and the log. */
  clear(): void {
    this.set({});
    this.scripted.length = 0;
    this.log.length = 0;
    this.requests = 0;
  }

  latencyMs(): number {
    const api = this.plan.api ?? {};
    const base = api.latencyMs ?? 0;
    const jitter = api.latencyJitterMs ?? 0;
    return base + (jitter > 0 ? Math.floor(this.random() * jitter) : 0);
  }

  /** The fault for this request, if any: a scripted one first, then the plan's chances. */
  forRequest(method: string, path: string): ApiFaultDecision | undefined {
    this.requests += 1;
    const index = this.scripted.findIndex(
      (f) =>
        (f.method === undefined || f.method === method) &&
        (f.path === undefined ||
          (typeof f.path === 'string' ? path.includes(f.path) : f.path.test(path))),
    );
    if (index >= 0) {
      const fault = this.scripted[index];
      fault.left -= 1;
      if (fault.left <= 0) this.scripted.splice(index, 1);
      return this.record(method, path, decision(fault.kind, fault.status, fault.retryAfter));
    }
    const api = this.plan.api;
    if (!api) return undefined;
    // One draw per request, split into bands, so the chances are independent of each other's order.
    const roll = this.random();
    let band = 0;
    const bands: Array<[number | undefined, ApiFaultKind]> = [
      [api.errorRate, 'error'],
      [method === 'POST' ? api.errorAfterRate : 0, 'error-after'],
      [api.throttleRate, 'throttle'],
      [api.timeoutRate, 'timeout'],
    ];
    for (const [rate, kind] of bands) {
      band += rate ?? 0;
      if (roll < band)
        return this.record(
          method,
          path,
          decision(kind, undefined, String(api.retryAfterSeconds ?? 1)),
        );
    }
    return undefined;
  }

  forDelivery(): DeliveryDecision {
    const delivery = this.plan.delivery;
    if (!delivery) return 'deliver';
    const roll = this.random();
    let band = 0;
    const bands: Array<[number | undefined, DeliveryDecision]> = [
      [delivery.dropRate, 'drop'],
      [delivery.duplicateRate, 'duplicate'],
      [delivery.reorderRate, 'reorder'],
    ];
    for (const [rate, kind] of bands) {
      band += rate ?? 0;
      if (roll < band) {
        this.log.push({ kind });
        return kind;
      }
    }
    return 'deliver';
  }

  private record(method: string, path: string, fault: ApiFaultDecision): ApiFaultDecision {
    this.log.push({ kind: fault.kind, method, path });
    return fault;
  }
}

function decision(
  kind: ApiFaultKind,
  status: number | undefined,
  retryAfter: string | undefined,
): ApiFaultDecision {
  switch (kind) {
    case 'error':
      return { kind, status: status ?? 503 };
    case 'error-after':
      return { kind, status: status ?? 502 };
    case 'throttle':
      return { kind, status: 429, retryAfter: retryAfter ?? '1' };
    case 'timeout':
      return { kind, status: 0 };
  }
}
