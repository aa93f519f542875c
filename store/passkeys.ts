/**
 * New API's `passkey_credentials`: one WebAuthn credential per user (unique on user_id and credential_id),
 * its id and COSE public key in standard base64 as New API keeps them, the signature counter and flags,
 * and when it was last used. A deleted credential is removed for good, as New API does.
 */
import { asBool, asInt, type Db, queryOne, type Row, timestampSeconds, timestampValue } from "./db.ts";

export interface Passkey {
  id: number;
  userId: number;
  /** Standard base64 of the credential id. */
  credentialId: string;
  /** Standard base64 of the COSE public key. */
  publicKey: string;
  signCount: number;
  transports: string[];
  backupEligible: boolean;
  backupState: boolean;
  /** Seconds (the column is a datetime, as GORM makes it); 0 when never used. */
  lastUsedAt: number;
}

const COLUMNS =
  `id, user_id, credential_id, public_key, sign_count, transports, backup_eligible, backup_state,
  last_used_at`;

function fromRow(r: Row): Passkey {
  let transports: string[] = [];
  try {
    const parsed = JSON.parse(String(r.transports ?? "[]"));
    if (Array.isArray(parsed)) transports = parsed.map(String);
  } catch { /* New API may have stored none */ }
  return {
    id: asInt(r.id),
    userId: asInt(r.user_id),
    credentialId: String(r.credential_id),
    publicKey: String(r.public_key),
    signCount: asInt(r.sign_count),
    transports,
    backupEligible: asBool(r.backup_eligible),
    backupState: asBool(r.backup_state),
    lastUsedAt: timestampSeconds(r.last_used_at),
  };
}

export async function getPasskeyByUser(db: Db, userId: number): Promise<Passkey | undefined> {
  const r = await queryOne(
    db,
    `SELECT ${COLUMNS} FROM passkey_credentials WHERE user_id = ? AND deleted_at IS NULL`,
    [
      userId,
    ],
  );
  return r ? fromRow(r) : undefined;
}

export async function getPasskeyByCredentialId(db: Db, credentialId: string): Promise<Passkey | undefined> {
  const r = await queryOne(
    db,
    `SELECT ${COLUMNS} FROM passkey_credentials WHERE credential_id = ? AND deleted_at IS NULL`,
    [credentialId],
  );
  return r ? fromRow(r) : undefined;
}

export interface NewPasskey {
  userId: number;
  credentialId: string;
  publicKey: string;
  attestationType: string;
  aaguid: string;
  signCount: number;
  userVerified: boolean;
  backupEligible: boolean;
  backupState: boolean;
  transports: string[];
  attachment: string;
}

/** Replaces the user's credential (New API keeps one per user). */
export async function savePasskey(db: Db, p: NewPasskey): Promise<void> {
  const now = timestampValue(db.dialect);
  await db.transaction(async (tx) => {
    await tx.exec("DELETE FROM passkey_credentials WHERE user_id = ?", [p.userId]);
    await tx.exec(
      `INSERT INTO passkey_credentials (user_id, credential_id, public_key, attestation_type, aa_guid, sign_count,
        clone_warning, user_present, user_verified, backup_eligible, backup_state, transports, attachment,
        created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        p.userId,
        p.credentialId,
        p.publicKey,
        p.attestationType,
        p.aaguid,
        p.signCount,
        false,
        true,
        p.userVerified,
        p.backupEligible,
        p.backupState,
        JSON.stringify(p.transports),
        p.attachment,
        now,
        now,
      ],
    );
  });
}

/**
 * Records a sign-in with the credential: the new counter, only if the stored one is still `previous` (two
 * uses of one assertion: one wins).
 */
export async function recordPasskeyUse(
  db: Db,
  id: number,
  previous: number,
  counter: number,
  backupState: boolean,
): Promise<boolean> {
  const now = timestampValue(db.dialect);
  const result = await db.exec(
    `UPDATE passkey_credentials SET sign_count = ?, backup_state = ?, last_used_at = ?, updated_at = ?
     WHERE id = ? AND sign_count = ?`,
    [counter, backupState, now, now, id, previous],
  );
  return result.changes === 1;
}

export async function deletePasskeyByUser(db: Db, userId: number): Promise<boolean> {
  return (await db.exec("DELETE FROM passkey_credentials WHERE user_id = ?", [userId])).changes > 0;
}
