/**
 * The simulator's login: Cognito-shaped tokens that are random and opaque (a client must not
 * read them), with an expiry so a client's refresh logic is exercised.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { WireCurrentIdentity, WireLoginResponse } from './model';

export interface SupplyAccount {
  username: string;
  password: string;
  organizationId: string;
  organizationName: string;
  email: string;
}

/** Any organisation's login (supply or demand: the offer book knows which). */
export type Account = SupplyAccount;

export interface Identity {
  account: SupplyAccount;
}

interface IssuedToken {
  username: string;
  expiresAt: number;
}

const opaqueToken = () => randomBytes(48).toString('base64url');

/** Logins the API answered, by outcome: the marketplace's own count of refused passwords. */
export interface LoginCounts {
  accepted: number;
  /** Answered 401 (unknown username or wrong password). */
  refused: number;
}

export class AuthService {
  private readonly accounts = new Map<string, SupplyAccount>();
  private readonly idTokens = new Map<string, IssuedToken>();
  private readonly counts: LoginCounts = { accepted: 0, refused: 0 };

  constructor(
    private tokenTtlSeconds: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Lifetime of tokens issued from now on (a short one exercises a client's re-login). */
  setTokenTtl(seconds: number): void {
    this.tokenTtlSeconds = seconds;
  }

  get tokenTtl(): number {
    return this.tokenTtlSeconds;
  }

  addAccount(
    account: Omit<SupplyAccount, 'organizationId' | 'email'> & {
      organizationId?: string;
      email?: string;
    },
  ): SupplyAccount {
    const full: SupplyAccount = {
      ...account,
      organizationId: account.organizationId ?? randomUUID(),
      email: account.email ?? `${account.username}@example.test`,
    };
    this.accounts.set(full.username, full);
    return full;
  }

  /** Returns tokens for valid credentials, undefined otherwise (no hint which part was wrong). */
  login(username: string, password: string): WireLoginResponse | undefined {
    const account = this.accounts.get(username);
    if (!account || !sameSecret(account.password, password)) {
      this.counts.refused += 1;
      return undefined;
    }
    this.counts.accepted += 1;
    const idToken = opaqueToken();
    this.idTokens.set(idToken, {
      username,
      expiresAt: this.now().getTime() + this.tokenTtlSeconds * 1000,
    });
    return {
      AccessToken: opaqueToken(),
      ExpiresIn: this.tokenTtlSeconds,
      IdToken: idToken,
      RefreshToken: opaqueToken(),
      TokenType: 'Bearer',
    };
  }

  /**
   * Resolves the raw `Authorization` header. Like the API's Cognito authorizer, only an unexpired
   * IdToken sent as the whole header value is accepted: `Bearer <token>` and access tokens are not.
   */
  identify(authorization: string | undefined): Identity | undefined {
    if (!authorization) return undefined;
    const issued = this.idTokens.get(authorization);
    if (!issued) return undefined;
    if (this.now().getTime() >= issued.expiresAt) {
      this.idTokens.delete(authorization);
      return undefined;
    }
    const account = this.accounts.get(issued.username);
    return account ? { account } : undefined;
  }

  loginCounts(): LoginCounts {
    return { ...this.counts };
  }

  /** Makes every token issued so far expire now (to exercise a client's re-login). */
  expireAllTokens(): void {
    this.idTokens.clear();
  }

  currentIdentity(identity: Identity): WireCurrentIdentity {
    return {
      email: identity.account.email,
      name: identity.account.organizationName,
      groups: ['org_admin'],
      organization_id: identity.account.organizationId,
    };
  }
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
