/**
 * Covers the optional shared secret: the Basic-credentials check and secret format
 * (lambdas/receiver/shared-secret.ts), the Secrets Manager reader with a plain-function stand-in
 * for Powertools (lambdas/adapters/shared-secret-reader.ts), and the receiver with the check on:
 * 401 with a Basic challenge before the body is read, 503 when the secret cannot be used, and
 * normal verification once the credentials match.
 * Constant time is a property of `timingSafeEqual` over equal-length digests and is not timed
 * here (no timed assertions); the handler's env wiring is in receiver.test.ts and the secret, its
 * IAM grant and SHARED_SECRET_ARN in test/infra/stacks-state.test.ts.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import {
  DEFAULT_SHARED_SECRET_MAX_AGE_S,
  SharedSecretUnavailableError,
  sharedSecretReader,
  type StringSecretReader,
} from '../../lambdas/adapters/shared-secret-reader';
import {
  checkBasicAuth,
  parseSharedSecret,
  SHARED_SECRET_USER,
  SharedSecretFormatError,
} from '../../lambdas/receiver/shared-secret';
import { basicAuth as basic, receiverHarness } from '../support/receiver-harness';
import { apiEvent, notificationFields, sign, snsHeaders } from '../support/sns-fixtures';

const PASSWORD = 'Q7rN2xKp9LmT4vWc8ZsB3hJd6FgY1aEu5oRi0nXq';
const OLD_PASSWORD = 'oldOLDold-0123456789_abcdefghijklmnopqrstuv';
const SECRET_ARN = 'arn:aws:secretsmanager:ca-central-1:111122223333:secret:SharedSecret-AbC123';

describe('parseSharedSecret', () => {
  it('reads one password, or two separated by whitespace (a rotation)', () => {
    expect(parseSharedSecret(PASSWORD)).toEqual([PASSWORD]);
    expect(parseSharedSecret(`  ${PASSWORD}\n`)).toEqual([PASSWORD]);
    expect(parseSharedSecret(`${PASSWORD} ${OLD_PASSWORD}`)).toEqual([PASSWORD, OLD_PASSWORD]);
  });

  it.each([
    ['an empty value', ''],
    ['only whitespace', ' \n '],
    ['three passwords', `${PASSWORD} ${OLD_PASSWORD} ${PASSWORD}x`],
    ['a password under 32 characters', 'a'.repeat(31)],
    ['a character that needs URL encoding', `${PASSWORD}@`],
    ['a colon (it would split user from password)', `${PASSWORD}:x`],
  ])('refuses %s without quoting it', (_case, value) => {
    let error: unknown;
    try {
      parseSharedSecret(value);
    } catch (caught: unknown) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SharedSecretFormatError);
    const message = (error as Error).message;
    if (value.trim() !== '') expect(message).not.toContain(value.trim().split(/\s+/)[0]);
  });

  it('accepts exactly 32 URL-safe characters', () => {
    expect(parseSharedSecret('aZ09._~-'.repeat(4))).toHaveLength(1);
  });
});

describe('checkBasicAuth', () => {
  it('matches connector:<password>', () => {
    expect(SHARED_SECRET_USER).toBe('connector');
    expect(checkBasicAuth(basic('connector', PASSWORD), [PASSWORD])).toBe('match');
  });

  it('takes the scheme in any case and tolerates trailing spaces', () => {
    expect(
      checkBasicAuth(basic('connector', PASSWORD).replace('Basic', 'bAsIc') + '  ', [PASSWORD]),
    ).toBe('match');
  });

  it('matches either password during a rotation, and only those', () => {
    const both = [PASSWORD, OLD_PASSWORD];
    expect(checkBasicAuth(basic('connector', PASSWORD), both)).toBe('match');
    expect(checkBasicAuth(basic('connector', OLD_PASSWORD), both)).toBe('match');
    expect(checkBasicAuth(basic('connector', `${PASSWORD}x`), both)).toBe('mismatch');
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['a blank header', '   '],
  ])('reports %s as missing (SNS’s first, uncredentialed try)', (_case, header) => {
    expect(checkBasicAuth(header, [PASSWORD])).toBe('missing');
  });

  it.each([
    ['a wrong password', basic('connector', PASSWORD.slice(0, -1) + 'X')],
    ['a prefix of the password', basic('connector', PASSWORD.slice(0, 31))],
    ['the password plus more', basic('connector', `${PASSWORD}${PASSWORD}`)],
    ['another user name', basic('admin', PASSWORD)],
    ['no user name', basic('', PASSWORD)],
    ['the password alone, no colon', `Basic ${Buffer.from(PASSWORD).toString('base64')}`],
    ['Digest credentials', `Digest username="connector", response="${PASSWORD}"`],
    ['a bearer token', `Bearer ${PASSWORD}`],
    ['the credentials in plain text', `Basic connector:${PASSWORD}`],
    ['a scheme without credentials', 'Basic'],
  ])('reports %s as a mismatch', (_case, header) => {
    expect(checkBasicAuth(header, [PASSWORD])).toBe('mismatch');
  });
});

describe('sharedSecretReader', () => {
  function reader(
    result: unknown,
  ): StringSecretReader & { calls: Array<{ name: string; options: unknown }> } {
    const calls: Array<{ name: string; options: unknown }> = [];
    const read: StringSecretReader = async (name, options) => {
      calls.push({ name, options });
      if (result instanceof Error) throw result;
      return result;
    };
    return Object.assign(read, { calls });
  }

  it('reads the secret string with a five-minute cache by default', async () => {
    const read = reader(PASSWORD);
    expect(await sharedSecretReader(SECRET_ARN, { readSecret: read })()).toBe(PASSWORD);
    expect(DEFAULT_SHARED_SECRET_MAX_AGE_S).toBe(300);
    expect(read.calls).toEqual([{ name: SECRET_ARN, options: { maxAge: 300 } }]);
  });

  it('passes a custom max age', async () => {
    const read = reader(PASSWORD);
    await sharedSecretReader(SECRET_ARN, { readSecret: read, maxAgeSeconds: 60 })();
    expect(read.calls[0]?.options).toEqual({ maxAge: 60 });
  });

  it.each([
    ['binary', new Uint8Array([1, 2, 3])],
    ['nothing', undefined],
    ['an empty string', ''],
  ])('refuses a secret holding %s, naming the ARN', async (_case, value) => {
    await expect(sharedSecretReader(SECRET_ARN, { readSecret: reader(value) })()).rejects.toThrow(
      SharedSecretUnavailableError,
    );
    await expect(sharedSecretReader(SECRET_ARN, { readSecret: reader(value) })()).rejects.toThrow(
      SECRET_ARN,
    );
  });

  it('wraps a retrieval error with the secret ARN and the AWS error', async () => {
    const denied = Object.assign(
      new Error('not authorized to perform secretsmanager:GetSecretValue'),
      { name: 'GetParameterError' },
    );
    const promise = sharedSecretReader(SECRET_ARN, { readSecret: reader(denied) })();
    await expect(promise).rejects.toThrow(SharedSecretUnavailableError);
    await expect(sharedSecretReader(SECRET_ARN, { readSecret: reader(denied) })()).rejects.toThrow(
      /GetParameterError: not authorized/,
    );
  });
});

describe('receiver with the shared secret on', () => {
  const NOW = new Date();
  const harness = receiverHarness({ now: NOW });
  const { identity, output } = harness;

  function setup(secret: () => Promise<string>) {
    return harness.setup({
      allowedTopicArns: [notificationFields(NOW).TopicArn],
      logger: new Logger({ serviceName: 'receiver-test' }),
      sharedSecret: secret,
    });
  }

  const message = () => sign(notificationFields(NOW), identity);
  const withAuth = (authorization: string | undefined, body: string = JSON.stringify(message())) =>
    apiEvent(body, {
      headers: {
        ...snsHeaders(message()),
        ...(authorization === undefined ? {} : { Authorization: authorization }),
      },
    });

  it('accepts and enqueues a genuine message with the right credentials', async () => {
    const s = setup(async () => PASSWORD);
    const result = await s.receive(withAuth(basic('connector', PASSWORD)));
    expect(result.statusCode).toBe(200);
    expect(s.queue.sends).toHaveLength(1);
  });

  it('reads the Authorization header in any letter case', async () => {
    const s = setup(async () => PASSWORD);
    const event = apiEvent(JSON.stringify(message()), {
      headers: { ...snsHeaders(message()), authorization: basic('connector', PASSWORD) },
    });
    expect((await s.receive(event)).statusCode).toBe(200);
  });

  it('accepts the old password while a rotation lists both', async () => {
    const s = setup(async () => `${PASSWORD} ${OLD_PASSWORD}`);
    expect((await s.receive(withAuth(basic('connector', OLD_PASSWORD)))).statusCode).toBe(200);
    expect((await s.receive(withAuth(basic('connector', PASSWORD)))).statusCode).toBe(200);
    expect(s.queue.sends).toHaveLength(2);
  });

  it('challenges a request without credentials: 401 + WWW-Authenticate Basic, no secret read, nothing else done', async () => {
    const s = setup(async () => PASSWORD);
    // An unparseable body shows the body is never looked at before the credentials.
    const result = await s.receive(withAuth(undefined, '{not json'));
    expect(result.statusCode).toBe(401);
    expect(result.headers?.['www-authenticate']).toMatch(/^Basic realm="[^"]+"/);
    expect(s.secretReads).toHaveLength(0);
    expect(s.http.calls).toHaveLength(0);
    expect(s.queue.sends).toHaveLength(0);
    // Expected traffic (SNS retries with the credentials at once): info and its own metric.
    const lines = output.logs();
    expect(lines.map((line) => line.level)).toEqual(['INFO']);
    const metrics = output
      .metrics()
      .map((blob) => Object.keys(blob).filter((key) => key === 'AuthenticationChallenges'));
    expect(metrics).toEqual([['AuthenticationChallenges']]);
  });

  it('refuses a request without the SNS message type header first: 400, no challenge, no secret read', async () => {
    const s = setup(async () => PASSWORD);
    // The HTTP API in front passes any POST /sns: the header check is the first gate, the
    // cheapest (no Secrets Manager call), with or without credentials.
    for (const authorization of [undefined, basic('connector', PASSWORD)]) {
      const result = await s.receive(
        apiEvent(JSON.stringify(message()), {
          headers: authorization === undefined ? {} : { authorization },
        }),
      );
      expect(result.statusCode).toBe(400);
      expect(JSON.parse(result.body)).toEqual({ message: 'not an SNS delivery' });
      expect(result.headers?.['www-authenticate']).toBeUndefined();
    }
    expect(s.secretReads).toHaveLength(0);
    expect(s.http.calls).toHaveLength(0);
    expect(s.queue.sends).toHaveLength(0);
    expect(output.logs().map((line) => line.level)).toEqual(['WARN', 'WARN']);
    const rejected = output
      .metrics()
      .map((blob) => Object.keys(blob).filter((key) => key === 'MessagesRejected'));
    expect(rejected).toEqual([['MessagesRejected'], ['MessagesRejected']]);
  });

  it.each([
    ['a wrong password', basic('connector', OLD_PASSWORD)],
    ['another user', basic('admin', PASSWORD)],
    ['Digest credentials', 'Digest username="connector"'],
  ])('refuses %s with 401 before parsing or verifying anything', async (_case, authorization) => {
    const s = setup(async () => PASSWORD);
    const result = await s.receive(withAuth(authorization, '{not json'));
    expect(result.statusCode).toBe(401);
    expect(result.headers?.['www-authenticate']).toMatch(/^Basic /);
    expect(JSON.parse(result.body)).toEqual({ message: 'unauthorized' });
    expect(s.http.calls).toHaveLength(0);
    expect(s.queue.sends).toHaveLength(0);
    expect(output.logs().map((line) => line.level)).toEqual(['WARN']);
  });

  it('refuses a genuinely signed message without credentials (the secret narrows what is accepted)', async () => {
    const s = setup(async () => PASSWORD);
    expect((await s.receive(withAuth(undefined))).statusCode).toBe(401);
    expect((await s.receive(withAuth(basic('connector', `${PASSWORD}0`)))).statusCode).toBe(401);
    expect(s.queue.sends).toHaveLength(0);
  });

  it('answers 503 (SNS retries) when the secret cannot be read, and logs no credential', async () => {
    const s = setup(async () => {
      throw new SharedSecretUnavailableError(
        `Could not read the shared secret ${SECRET_ARN} (ThrottlingException: Rate exceeded)`,
      );
    });
    const result = await s.receive(withAuth(basic('connector', PASSWORD)));
    expect(result.statusCode).toBe(503);
    expect(s.http.calls).toHaveLength(0);
    expect(s.queue.sends).toHaveLength(0);
    const text = output.text();
    expect(text).toContain('ThrottlingException');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(Buffer.from(`connector:${PASSWORD}`).toString('base64'));
  });

  it('answers 503 and lets nothing through when the secret value is malformed, without logging it', async () => {
    const shortValue = 'too-short-to-be-a-password';
    const s = setup(async () => shortValue);
    const result = await s.receive(withAuth(basic('connector', shortValue)));
    expect(result.statusCode).toBe(503);
    expect(s.queue.sends).toHaveLength(0);
    expect(output.text()).not.toContain(shortValue);
    expect(output.logs().map((line) => line.level)).toEqual(['ERROR']);
  });

  it('never writes the presented or expected credentials to logs or the answer', async () => {
    const s = setup(async () => PASSWORD);
    const wrong = 'WrongPasswordWrongPasswordWrongPassword1';
    const answers = [
      await s.receive(withAuth(basic('connector', PASSWORD))),
      await s.receive(withAuth(basic('connector', wrong))),
      await s.receive(withAuth(undefined)),
    ];
    const written = output.text() + answers.map((answer) => JSON.stringify(answer)).join('');
    for (const secret of [
      PASSWORD,
      wrong,
      Buffer.from(`connector:${PASSWORD}`).toString('base64'),
      Buffer.from(`connector:${wrong}`).toString('base64'),
    ]) {
      expect(written).not.toContain(secret);
    }
  });
});
