/**
 * Covers the sandbox's notifier (sandbox/print-notifier.ts): one line per notification, with the
 * kind, the short offer id, the types, city and rule when the notification has them.
 */
import { printNotifier } from '../../sandbox/print-notifier';

describe('sandbox print notifier', () => {
  it('prints one line per notification, leaving out what it does not know', async () => {
    const lines: string[] = [];
    const notifier = printNotifier((line) => lines.push(line));

    await notifier.notify({
      kind: 'review',
      offerId: '1a2b3c4d-0000-4000-8000-000000000001',
      careType: 'psw',
      offerType: 'visit',
      city: 'Toronto',
      rule: 'default',
      explanation: ['no rule matched'],
    });
    await notifier.notify({ kind: 'expired', offerId: '5e6f7a8b-0000-4000-8000-000000000002' });

    expect(lines).toEqual([
      'notify: review 1a2b3c4d psw/visit Toronto (rule: default)',
      'notify: expired 5e6f7a8b',
    ]);
  });
});
