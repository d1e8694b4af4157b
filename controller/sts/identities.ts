/**
 * Who a request comes from (docs/ec2-api.md "Accounts and regions"): the account, ARN and user
 * id behind an access key, and the temporary credentials STS AssumeRole / GetSessionToken issued.
 *
 * - An access key id of exactly 12 digits IS that account (as LocalStack does), so a test picks
 *   an account by its key: `AWS_ACCESS_KEY_ID=111111111111`.
 * - A key issued by AssumeRole belongs to the role's account, with the assumed-role ARN.
 * - Any other key belongs to the default account (the controller's `accountId`, 123456789012).
 *
 * Long-term keys answer as the account's root user (`arn:aws:iam::<account>:root`, user id =
 * the account id), as AWS answers for root credentials. Issued sessions are kept beside the state
 * (StateStore side value `sts.sessions`, newest MAX_SESSIONS), so they survive a restart.
 */
import { createHash, randomBytes } from "node:crypto";

/** The caller of one request. */
export interface CallerIdentity {
  readonly accountId: string;
  readonly arn: string;
  readonly userId: string;
}

/** Temporary credentials issued by AssumeRole or GetSessionToken. */
export interface StsSession {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** ISO-8601. */
  readonly expiration: string;
  readonly accountId: string;
  readonly arn: string;
  /** `AROA…:session` for a role, the account id for a root session token. */
  readonly userId: string;
}

/** Where sessions are kept (StateStore implements it). */
export interface SessionStorage {
  readSideValue(key: string): unknown;
  writeSideValue(key: string, value: unknown): void;
}

/** Most sessions kept; the oldest are forgotten first. */
export const MAX_SESSIONS = 1000;
const SESSIONS_KEY = "sts.sessions";

/** True for a 12-digit AWS account id. */
export function isAccountId(s: string): boolean {
  return /^\d{12}$/.test(s);
}

const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** `prefix` + 16 characters of the AWS key alphabet (A-Z, 2-7): 20 characters, as AWS's ids. */
export function newKeyId(prefix: "ASIA" | "AROA" | "AIDA"): string {
  const b = randomBytes(16);
  return prefix + Array.from(b, (x) => B32[x % 32]).join("");
}

export class CallerIdentities {
  private sessions: Map<string, StsSession> | undefined;

  constructor(
    private readonly storage: SessionStorage,
    readonly defaultAccountId: string,
  ) {}

  private loaded(): Map<string, StsSession> {
    if (this.sessions !== undefined) return this.sessions;
    const saved = this.storage.readSideValue(SESSIONS_KEY);
    const map = new Map<string, StsSession>();
    if (Array.isArray(saved))
      for (const s of saved as StsSession[])
        if (typeof s?.accessKeyId === "string") map.set(s.accessKeyId, s);
    this.sessions = map;
    return map;
  }

  /** The session `accessKeyId` was issued as, if any. */
  session(accessKeyId: string): StsSession | undefined {
    return this.loaded().get(accessKeyId);
  }

  /** Records a new session (persisted; the oldest beyond MAX_SESSIONS are dropped). */
  addSession(s: StsSession): void {
    const map = this.loaded();
    map.set(s.accessKeyId, s);
    while (map.size > MAX_SESSIONS) {
      const oldest = map.keys().next().value;
      if (oldest === undefined) break;
      map.delete(oldest);
    }
    this.storage.writeSideValue(SESSIONS_KEY, [...map.values()]);
  }

  /**
   * The stable `AROA…` id of a role (AWS gives each role one; here derived from its ARN so the
   * same role answers the same id across sessions and restarts).
   */
  roleId(roleArn: string): string {
    const h = createHash("sha256").update(roleArn).digest();
    return "AROA" + Array.from(h.subarray(0, 17), (x) => B32[x % 32]).join("");
  }

  /** The account `accessKeyId` belongs to (undefined key: the default account). */
  accountOf(accessKeyId: string | undefined): string {
    return this.resolve(accessKeyId).accountId;
  }

  /** The caller behind `accessKeyId` (rules in the file comment). */
  resolve(accessKeyId: string | undefined): CallerIdentity {
    if (accessKeyId !== undefined) {
      const s = this.session(accessKeyId);
      if (s !== undefined) return { accountId: s.accountId, arn: s.arn, userId: s.userId };
    }
    const accountId =
      accessKeyId !== undefined && isAccountId(accessKeyId) ? accessKeyId : this.defaultAccountId;
    return { accountId, arn: `arn:aws:iam::${accountId}:root`, userId: accountId };
  }
}
