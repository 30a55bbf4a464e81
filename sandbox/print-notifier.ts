/**
 * The sandbox's stand-in for the review topic: one line per notification, in the story the run
 * prints, e.g. `notify: review 1a2b3c4d psw/visit Toronto (rule: default)`. It says what the SNS
 * notifier would send (the same fields), so a run shows who would be told about what.
 */
import type { Notifier, OfferNotification } from '../lambdas/core/ports';
import { short } from './outcomes';

/** The line printed for a notification: kind, short offer id, types, city and rule when known. */
export function notificationLine(n: OfferNotification): string {
  const types = [n.careType, n.offerType].filter((t) => t !== undefined).join('/');
  const parts = [
    'notify:',
    n.kind,
    short(n.offerId),
    types,
    n.city ?? '',
    n.rule === undefined ? '' : `(rule: ${n.rule})`,
  ];
  return parts.filter((part) => part !== '').join(' ');
}

export function printNotifier(print: (line: string) => void): Notifier {
  return {
    notify: async (notification) => {
      print(notificationLine(notification));
    },
  };
}
