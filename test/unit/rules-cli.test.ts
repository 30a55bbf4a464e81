/**
 * Covers `npm run rules` (cli/rules.ts) through main(argv, io) with in-memory files and a fixed
 * clock: `test` on one offer detail and on a shift's offers (first line, explanation, --now),
 * `check` on rules and config files (ok, notes), every usage error, invalid files with one line
 * per bad field and exit 2, --help everywhere, publish routed to its command, and that nothing of an offer
 * but its id and the explanation is printed. One run of the real entry checks the exit status.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type CliIo, main } from '../../cli/rules';
import { offerDetailJson, PHI } from '../support/offer-fixtures';

const ROOT = path.join(__dirname, '..', '..');
const EXAMPLE = readFileSync(path.join(ROOT, 'config', 'connector.example.json'), 'utf8');
const CLOCK = new Date('2026-05-01T09:00:00Z');

const RULES = JSON.stringify({
  defaultAction: 'review',
  rules: [
    {
      name: 'soon',
      match: { starts_within_hours: { max: 24 } },
      action: 'accept',
      comment: 'On our way',
    },
    {
      name: 'nursing',
      match: { care_type: ['nursing'] },
      action: 'decline',
      declineReasonCode: 'no_employee_with_skills',
      comment: 'No nurses',
    },
  ],
});

interface Run {
  code: number;
  out: string[];
  err: string[];
}

async function run(argv: string[], files: Partial<Record<string, string>> = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (line) => out.push(...line.split('\n')),
    err: (line) => err.push(...line.split('\n')),
    readFile: (file) => {
      const text = files[file];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
      return text;
    },
    now: () => CLOCK,
  };
  return { code: await main(argv, io), out, err };
}

/** The fixture detail (a Montréal PSW visit starting 2026-05-03T09:00Z), as the API answers it. */
const detail = (
  change: (d: Record<string, Record<string, unknown>>) => void = () => undefined,
): Record<string, unknown> => {
  const d = offerDetailJson() as Record<string, Record<string, unknown>>;
  change(d);
  return d;
};
const files = (offer: unknown, rules = RULES) => ({
  'rules.json': rules,
  'offer.json': JSON.stringify(offer),
  'connector.json': EXAMPLE,
});

describe('rules test', () => {
  it('prints the decision first, then the explanation, for an offer detail as the API answers it', async () => {
    const { code, out, err } = await run(['test', 'rules.json', 'offer.json'], files(detail()));
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out).toEqual([
      'decision: review (rule: default)',
      'review by default (none of 2 rules held)',
      'rule "soon": starts_within_hours did not hold (the first visit starts in 48 h; max 24)',
      'rule "nursing": care_type did not hold (care_type is psw; listed: nursing)',
      'judged at 2026-05-01T09:00:00.000Z in America/Toronto',
    ]);
  });

  it('judges at --now, in either form', async () => {
    for (const now of [['--now', '2026-05-02T10:00:00Z'], ['--now=2026-05-02T10:00:00Z']]) {
      const { code, out } = await run(
        ['test', 'rules.json', 'offer.json', ...now],
        files(detail()),
      );
      expect(code).toBe(0);
      expect(out.slice(0, 2)).toEqual([
        'decision: accept (rule: soon)',
        'accept by rule "soon" (starts_within_hours held)',
      ]);
      expect(out).toContain('comment: On our way');
    }
  });

  it('reads the rules of a whole connector config', async () => {
    const { code, out } = await run(['test', 'connector.json', 'offer.json'], files(detail()));
    expect(code).toBe(0);
    expect(out[0]).toBe('decision: review (rule: default)');
    expect(out).toContain(
      'rule "accept-psw-toronto": city did not hold (the offer\'s city is not listed)',
    );
  });

  it('judges a JSON array as the offers of one shift, naming the offer that decided', async () => {
    const psw = detail((d) => (d.offer.id = 'aaaaaaaa-0000-4000-8000-000000000001'));
    const nursing = detail((d) =>
      Object.assign(d.offer, { id: 'bbbbbbbb-0000-4000-8000-000000000002', care_type: 'nursing' }),
    );
    const { code, out } = await run(['test', 'rules.json', 'offer.json'], files([nursing, psw]));
    expect(code).toBe(0);
    expect(out).toEqual([
      'decision: decline (rule: nursing)',
      'shift of 2 offers: decline because offer bbbbbbbb-0000-4000-8000-000000000002 gave decline (rule "nursing")',
      'offer bbbbbbbb-0000-4000-8000-000000000002: decline by rule "nursing" (care_type held)',
      'offer bbbbbbbb-0000-4000-8000-000000000002: rule "soon": starts_within_hours did not hold (the first visit starts in 48 h; max 24)',
      'offer aaaaaaaa-0000-4000-8000-000000000001: review (rule: default)',
      'offer bbbbbbbb-0000-4000-8000-000000000002: decline (rule: nursing)',
      'reason_code: no_employee_with_skills',
      'comment: No nurses',
      'judged at 2026-05-01T09:00:00.000Z in America/Toronto',
    ]);
    // A day later "soon" (tried first) holds for both offers: the shift is accepted.
    const later = await run(
      ['test', 'rules.json', 'offer.json', '--now', '2026-05-02T10:00:00Z'],
      files([nursing, psw]),
    );
    expect(later.out[0]).toBe('decision: accept (rule: soon)');
  });

  it('judges only the offers still answerable, as the worker does, and says which it left out', async () => {
    const answered = detail((d) =>
      Object.assign(d.offer, { id: 'aaaaaaaa-0000-4000-8000-000000000001', care_type: 'nursing' }),
    );
    answered.match = { ...(answered.match as object), response: 'declined' };
    const open = detail((d) => (d.offer.id = 'bbbbbbbb-0000-4000-8000-000000000002'));
    const { out } = await run(['test', 'rules.json', 'offer.json'], files([answered, open]));
    expect(out[0]).toBe('decision: review (rule: default)');
    expect(out).toContain(
      'note: offer aaaaaaaa-0000-4000-8000-000000000001 is not answerable now (match declined/open): the worker leaves it out',
    );
  });

  it('prints nothing of the offer but its id and the explanation', async () => {
    const { out, err } = await run(['test', 'connector.json', 'offer.json'], files(detail()));
    const printed = [...out, ...err].join('\n');
    for (const value of [
      ...Object.values(PHI),
      'Montréal',
      'H2X',
      'Demo Health',
      '45.51',
      'personal care',
      'weekday mornings',
    ])
      expect(printed).not.toContain(value);
  });

  it.each<[string, unknown, string[]]>([
    [
      'a missing required field',
      detail((d) => delete d.offer.care_type),
      ['offer.care_type: missing or not as the API specifies'],
    ],
    [
      'two, in the second offer of a shift',
      [
        detail(),
        detail((d) => {
          delete d.match.status;
          delete d.demand.name;
        }),
      ],
      [
        '1.match.status: missing or not as the API specifies',
        '1.demand.name: missing or not as the API specifies',
      ],
    ],
    [
      'offers of two shifts',
      [detail(), detail((d) => Object.assign(d.offer, { id: 'other', shift_id: 'another-shift' }))],
      ['(root): the offers are not all of one shift (offer.shift_id differs or is missing)'],
    ],
    [
      'an empty list',
      [],
      ['(root): an empty list; give an offer detail or the offers of one shift'],
    ],
  ])(
    'refuses an offer file with %s: exit 2, one line per bad field, nothing on stdout',
    async (_name, offer, lines) => {
      const { code, out, err } = await run(['test', 'rules.json', 'offer.json'], files(offer));
      expect(code).toBe(2);
      expect(out).toEqual([]);
      expect(err).toEqual(lines);
    },
  );

  it('refuses an offer file that is not JSON without quoting it', async () => {
    const { code, err } = await run(['test', 'rules.json', 'offer.json'], {
      'rules.json': RULES,
      'offer.json': `{"client": "${PHI.allergy}"`,
    });
    expect(code).toBe(2);
    expect(err).toEqual(['offer.json: not valid JSON']);
  });

  it('refuses invalid rules before reading the offer: exit 2, one line per bad field', async () => {
    const bad = JSON.stringify({
      defaultAction: 'review',
      rules: [
        {
          name: 'x',
          match: { weekdays: ['mon', 'tues'], hours: { from: '8:00', to: '12:00' } },
          action: 'accept',
        },
      ],
    });
    const { code, out, err } = await run(['test', 'rules.json', 'missing.json'], {
      'rules.json': bad,
    });
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toEqual([
      expect.stringMatching(/^rules\.0\.match\.weekdays\.1: .* \(rule "x"\)$/),
      'rules.0.match.hours.from: must be HH:MM, from 00:00 to 24:00 (rule "x")',
    ]);
  });
});

describe('rules check', () => {
  it('says ok for the example config, with a note on its overnight window', async () => {
    const { code, out, err } = await run(['check', 'connector.json'], files(detail()));
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out).toEqual([
      'ok: connector.json: connector config valid (4 rules, default review, time zone America/Toronto)',
      'note: rule "ignore-halton-overnight": hours 22:00-06:00 is an overnight window (from the evening to the next morning)',
    ]);
  });

  it('says ok for a rules file, with notes on what would never be sent and on names used twice', async () => {
    const rules = JSON.stringify({
      defaultAction: 'ignore',
      timeZone: 'America/Vancouver',
      rules: [
        { name: 'a', match: { city: ['A'] }, action: 'review', comment: 'for a person' },
        { name: 'a', match: { city: ['B'] }, action: 'accept', declineReasonCode: 'other' },
      ],
    });
    const { code, out } = await run(['check', 'rules.json'], { 'rules.json': rules });
    expect(code).toBe(0);
    expect(out).toEqual([
      'ok: rules.json: rules valid (2 rules, default ignore, time zone America/Vancouver)',
      'note: rule "a": comment is sent only with accept or decline; this rule\'s action is review',
      'note: rule "a": the name is used by an earlier rule too; explanations will not tell them apart',
      'note: rule "a": declineReasonCode is sent only with decline; this rule\'s action is accept',
    ]);
  });

  it('refuses an invalid config file: exit 2, one line per bad field, rules and the rest', async () => {
    const config = JSON.parse(EXAMPLE) as Record<string, unknown> & {
      rules: { rules: Record<string, unknown>[] };
    };
    config.role = 'seller';
    config.rules.rules[0] = {
      ...config.rules.rules[0],
      match: { service_area: [{ lat: 43.6, lon: -79.4 }], colour: 'red' },
    };
    const { code, out, err } = await run(['check', 'connector.json'], {
      'connector.json': JSON.stringify(config),
    });
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toHaveLength(3);
    expect(err).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^role: /),
        expect.stringMatching(
          /^rules\.rules\.0\.match\.service_area\.0\.km: .*\(rule "accept-psw-toronto"\)$/,
        ),
        'rules.rules.0.match: unknown field "colour" (rule "accept-psw-toronto")',
      ]),
    );
  });

  it('refuses a file that cannot be read or is not JSON', async () => {
    expect(await run(['check', 'nowhere.json'])).toEqual({
      code: 2,
      out: [],
      err: ['nowhere.json: cannot be read (ENOENT)'],
    });
    expect(await run(['check', 'rules.json'], { 'rules.json': '{"defaultAction": ' })).toEqual({
      code: 2,
      out: [],
      err: ['rules.json: not valid JSON'],
    });
  });
});

describe('usage', () => {
  it.each([
    [['--help']],
    [['-h']],
    [['help']],
    [['test', '--help']],
    [['check', '--help']],
    [['test', 'a', '--help']],
  ])('%j prints help on stdout and exits 0', async (argv) => {
    const { code, out, err } = await run(argv);
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out[0]).toMatch(/^usage: npm run rules -- /);
  });

  it('prints the usage on stderr and exits 2 without a command', async () => {
    const { code, out, err } = await run([]);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err[0]).toMatch(/^usage: /);
  });

  it.each<[string[], string]>([
    [['judge'], 'unknown command judge (npm run rules -- --help)'],
    [
      ['test', 'rules.json'],
      'test takes a rules or config file and an offer file (1 given) (npm run rules -- test --help)',
    ],
    [
      ['test', 'a', 'b', 'c'],
      'test takes a rules or config file and an offer file (3 given) (npm run rules -- test --help)',
    ],
    [['test', 'a', 'b', '--verbose'], 'unknown option --verbose (npm run rules -- test --help)'],
    [
      ['test', 'a', 'b', '--now'],
      '--now needs an ISO 8601 date-time (npm run rules -- test --help)',
    ],
    [
      ['test', 'a', 'b', '--now', 'tomorrow'],
      '--now: not an ISO 8601 date-time such as 2026-05-04T13:00:00Z (npm run rules -- test --help)',
    ],
    [
      ['test', 'a', 'b', '--now', '2026-05-04'],
      '--now: not an ISO 8601 date-time such as 2026-05-04T13:00:00Z (npm run rules -- test --help)',
    ],
    [['check'], 'check takes one file (0 given) (npm run rules -- check --help)'],
    [['check', 'a', 'b'], 'check takes one file (2 given) (npm run rules -- check --help)'],
    [['check', '--strict', 'a'], 'unknown option --strict (npm run rules -- check --help)'],
  ])('%j is a usage error: one line, exit 2', async (argv, line) => {
    expect(await run(argv)).toEqual({ code: 2, out: [], err: [line] });
  });

  it('routes publish to the publish command (its usage errors exit 2 too)', async () => {
    const usage = await run(['publish', 'rules.json']);
    expect(usage.code).toBe(2);
    expect(usage.err[0]).toMatch(/^rules publish: --bucket is required/);
    expect((await run(['publish', '--help'])).code).toBe(0);
  });
});

describe('the entry (npm run rules)', () => {
  it('exits with main’s status: 0 for ok, 2 for an invalid file', () => {
    const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
    const ok = spawnSync(tsx, ['cli/rules.ts', 'check', 'config/connector.example.json'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^ok: config\/connector\.example\.json: connector config valid/);
    const bad = spawnSync(
      tsx,
      ['cli/rules.ts', 'test', 'config/connector.example.json', 'package.json'],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.split('\n')[0]).toBe('offer: missing or not as the API specifies');
  });
});
