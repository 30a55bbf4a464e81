/**
 * The dynalite parse cache of the sandbox's dynalite process (sandbox/dynalite-expression-cache.ts):
 * dynalite's own expression validation, with the cache, gives exactly what it gives without it,
 * for the same expressions sent again with other values (the hits) and for the cases the cache
 * must not reuse (a value's type changed, BETWEEN, attribute_type); and it does reuse parses.
 */
import {
  cacheExpressionParses,
  type ExpressionParser,
} from '../../sandbox/dynalite-expression-cache';

/** A request as dynalite validates it: wire-format values, and what validation adds to it. */
interface Request {
  UpdateExpression?: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
  _updates?: unknown;
  _condition?: unknown;
}

// dynalite is CommonJS without types; these are the modules its validation calls.
/* eslint-disable @typescript-eslint/no-require-imports -- see above */
const validations = require('dynalite/validations') as {
  validateExpressions: (data: Request) => string | undefined;
};
const parsers = {
  condition: require('dynalite/db/conditionParser') as ExpressionParser,
  update: require('dynalite/db/updateParser') as ExpressionParser,
};
/* eslint-enable @typescript-eslint/no-require-imports */

const pristine = { condition: parsers.condition.parse, update: parsers.update.parse };
const calls = { condition: 0, update: 0 };
for (const kind of ['condition', 'update'] as const) {
  const parse = pristine[kind];
  parsers[kind].parse = (input, options) => {
    calls[kind] += 1;
    return parse(input, options);
  };
  cacheExpressionParses(parsers[kind]);
}
const cached = { condition: parsers.condition.parse, update: parsers.update.parse };

/** dynalite's validation of a copy of `request`: the error, or the parsed expressions. */
function validate(request: Request, withCache: boolean): { error?: string; parsed: Request } {
  parsers.condition.parse = withCache ? cached.condition : pristine.condition;
  parsers.update.parse = withCache ? cached.update : pristine.update;
  const parsed = structuredClone(request);
  const error = validations.validateExpressions(parsed);
  return { ...(error !== undefined ? { error } : {}), parsed };
}

const n = (value: number) => ({ N: String(value) });
const s = (value: string) => ({ S: value });

/** One expression pair sent twice with other values: the second is the cache's hit. */
const cases: Array<{ name: string; first: Request; second: Request }> = [];
function sentTwice(name: string, request: Request, values: Record<string, unknown>): void {
  cases.push({ name, first: request, second: { ...request, ExpressionAttributeValues: values } });
}

sentTwice(
  'a lease taken when free or lapsed, sharing a name between update and condition',
  {
    UpdateExpression: 'SET #lease = :until, #owner = :me',
    ConditionExpression: 'attribute_not_exists(#lease) OR #lease < :now',
    ExpressionAttributeNames: { '#lease': 'leaseUntil', '#owner': 'owner' },
    ExpressionAttributeValues: { ':until': n(200), ':me': s('a'), ':now': n(100) },
  },
  { ':until': n(900), ':me': s('b'), ':now': n(800) },
);
sentTwice(
  'a counter and a set member',
  {
    UpdateExpression: 'ADD accepts :minusOne DELETE units :unit',
    ConditionExpression: 'contains(units, :member)',
    ExpressionAttributeValues: { ':minusOne': n(-1), ':unit': { SS: ['u1'] }, ':member': s('u1') },
  },
  { ':minusOne': n(-1), ':unit': { SS: ['u2', 'u3'] }, ':member': s('u2') },
);
sentTwice(
  'a list appended to, with nested maps of other shapes',
  {
    UpdateExpression: 'SET events = list_append(if_not_exists(events, :empty), :event)',
    ConditionExpression: '#status = :inProgress AND size(events) < :max',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':empty': { L: [] },
      ':event': { L: [{ M: { id: s('e1') } }] },
      ':inProgress': s('in_progress'),
      ':max': n(10),
    },
  },
  {
    ':empty': { L: [] },
    ':event': { L: [{ M: { id: s('e2'), at: n(5), tags: { SS: ['x'] } } }] },
    ':inProgress': s('in_progress'),
    ':max': n(3),
  },
);
sentTwice(
  'a removal guarded by a size',
  {
    UpdateExpression: 'REMOVE a, b',
    ConditionExpression: 'size(#events) = :length',
    ExpressionAttributeNames: { '#events': 'events' },
    ExpressionAttributeValues: { ':length': n(2) },
  },
  { ':length': n(7) },
);
sentTwice(
  'a value whose type changed (begins_with refuses a number)',
  {
    UpdateExpression: 'SET x = :prefix',
    ConditionExpression: 'begins_with(#id, :prefix)',
    ExpressionAttributeNames: { '#id': 'id' },
    ExpressionAttributeValues: { ':prefix': s('offer#') },
  },
  { ':prefix': n(1) },
);
sentTwice(
  'BETWEEN with its bounds the wrong way round the second time',
  {
    ConditionExpression: '#at BETWEEN :low AND :high',
    UpdateExpression: 'SET x = :low',
    ExpressionAttributeNames: { '#at': 'at' },
    ExpressionAttributeValues: { ':low': n(1), ':high': n(2) },
  },
  { ':low': n(5), ':high': n(2) },
);
sentTwice(
  'attribute_type with a type name that does not exist the second time',
  {
    ConditionExpression: 'attribute_type(#a, :type)',
    UpdateExpression: 'SET x = :type',
    ExpressionAttributeNames: { '#a': 'a' },
    ExpressionAttributeValues: { ':type': s('S') },
  },
  { ':type': s('XS') },
);
sentTwice(
  'a value left unused the second time',
  {
    UpdateExpression: 'SET x = :x',
    ExpressionAttributeValues: { ':x': n(1) },
  },
  { ':x': n(1), ':spare': n(2) },
);

describe('dynalite validation with the parse cache', () => {
  it.each(cases)('is the same as without it: $name', ({ first, second }) => {
    for (const request of [first, second, first, second]) {
      expect(validate(request, true)).toStrictEqual(validate(request, false));
    }
  });

  it('gives each request its own values, not the first request’s', () => {
    const [lease] = cases;
    validate(lease.first, true);
    const { parsed } = validate(lease.second, true);
    expect(JSON.stringify(parsed._condition)).toContain('"800"');
    expect(JSON.stringify(parsed._condition)).not.toContain('"100"');
    expect(JSON.stringify(parsed._updates)).toContain('"900"');
  });

  it('parses an expression sent again with other values once, and BETWEEN every time', () => {
    const [lease] = cases;
    const before = { ...calls };
    for (let i = 0; i < 5; i += 1)
      validate(
        {
          ...lease.first,
          ExpressionAttributeValues: { ':until': n(i), ':me': s(`m${i}`), ':now': n(i) },
        },
        true,
      );
    expect(calls.condition - before.condition).toBeLessThanOrEqual(1);
    expect(calls.update - before.update).toBeLessThanOrEqual(1);

    const between = cases.find((c) => c.name.startsWith('BETWEEN'));
    if (!between) throw new Error('no BETWEEN case');
    const conditionBefore = calls.condition;
    validate(between.first, true);
    validate(between.first, true);
    expect(calls.condition - conditionBefore).toBe(2);
  });
});

describe('cacheExpressionParses on trees it cannot reuse', () => {
  function fakeParser(tree: (values: Record<string, unknown>) => unknown): {
    parser: ExpressionParser;
    count: () => number;
  } {
    let count = 0;
    const parser: ExpressionParser = {
      parse: (_input, { context }) => {
        count += 1;
        return tree(context.attrVals ?? {});
      },
    };
    cacheExpressionParses(parser);
    return { parser, count: () => count };
  }
  const context = (value: unknown) => ({ context: { attrVals: { ':v': value } } });

  it('parses afresh when the tree holds a piece of a value rather than the value', () => {
    const { parser, count } = fakeParser((values) => ({
      first: (values[':v'] as { L: unknown[] }).L[0],
    }));
    expect(parser.parse('x = :v', context({ L: [{ S: 'a' }] }))).toEqual({ first: { S: 'a' } });
    expect(parser.parse('x = :v', context({ L: [{ S: 'b' }] }))).toEqual({ first: { S: 'b' } });
    expect(count()).toBe(2);
  });

  it('parses afresh when the tree holds something other than arrays and plain objects', () => {
    const { parser, count } = fakeParser((values) => ({ at: new Date(0), value: values[':v'] }));
    parser.parse('x = :v', context(n(1)));
    parser.parse('x = :v', context(n(2)));
    expect(count()).toBe(2);
  });

  it('never reuses an error dynalite returned as a string', () => {
    const { parser, count } = fakeParser(() => 'Syntax error');
    expect(parser.parse('x = :v', context(n(1)))).toBe('Syntax error');
    expect(parser.parse('x = :v', context(n(1)))).toBe('Syntax error');
    expect(count()).toBe(2);
  });

  it('reuses a tree of plain objects, with each request’s value where the first one’s was', () => {
    const { parser, count } = fakeParser((values) => ({ args: [['x'], values[':v']] }));
    parser.parse('x = :v', context(n(1)));
    const second = n(2);
    const tree = parser.parse('x = :v', context(second)) as { args: unknown[] };
    expect(tree.args[1]).toBe(second);
    expect(count()).toBe(1);
  });
});
