/**
 * The end of a run: the poller stopped, the capture written, and what happened to every offer
 * collected and judged (the supply report, the demand report, both, or a drill's verdict).
 */
import { drillLines, drillReport } from './contention';
import { collectDemandOutcomes } from './demand-outcomes';
import { collectOutcomes } from './outcomes';
import type { Outbox, RunContext } from './play-run';
import { bothVerdict } from './roles';
import type { AnySandboxResult } from './sandbox-options';
import { queueDepth, queueDepthOrUndefined } from './sandbox-queues';

/** Stops the poller, writes the capture and returns the run's result (printing its lines). */
export async function finishRun(
  run: RunContext,
  outbox: Outbox | undefined,
): Promise<AnySandboxResult> {
  const { options, role, rules, drill, supplyDrill, capture, store, appliedWrites, print } = run;
  const { simulator, connector } = run.market;
  const { sqs, queues } = run.aws;
  const { published, poller, reconciler } = run;
  await poller.stop();
  if (capture) {
    await capture.write({ dynamo: run.aws.dynamo, simulator, credentials: connector.credentials });
    print(`sandbox: capture written to ${options.captureDir}`);
  }
  const deadLettered =
    options.mode === 'once'
      ? await queueDepth(sqs, queues.dlqUrl)
      : await queueDepthOrUndefined(sqs, queues.dlqUrl);
  const scenario = drill ? 'contention' : options.mode;
  const supplyReport = () =>
    collectOutcomes({
      scenario,
      store,
      simulator,
      offers: published,
      rules,
      appliedWrites,
      deadLettered,
    });
  if (outbox) {
    const demand = await collectDemandOutcomes({
      store,
      simulator,
      offers: outbox.offers,
      outboxTopicArn: connector.outboxTopicArn ?? '',
      deadLettered,
    });
    for (const line of demand.lines) print(line);
    if (role === 'demand')
      return {
        role,
        demand,
        summary: demand.summary,
        ok: demand.ok,
        problems: demand.problems,
        notes: demand.notes,
      };
    const supply = await supplyReport();
    return { role: 'both', supply, demand, ...bothVerdict(supply, demand) };
  }
  const report = await supplyReport();
  if (supplyDrill) {
    const verdict = supplyDrill.verdict({
      simulator,
      report,
      published,
      ...(reconciler ? { reconciler: reconciler.stats() } : {}),
    });
    const problems = [...report.problems, ...verdict.problems];
    return {
      ...report,
      notes: [...report.notes, ...verdict.notes],
      problems,
      ok: report.ok && verdict.problems.length === 0,
    };
  }
  if (!drill || !reconciler) return report;
  const measured = drillReport({
    simulator,
    offers: published,
    rules,
    poller: poller.stats(),
    reconciler: reconciler.stats(),
  });
  for (const line of drillLines(measured)) print(line);
  return { ...report, drill: measured };
}
