/**
 * Passwords hashed with bcrypt (cost 10), the format New API uses, so its hashes verify unchanged.
 * bcrypt reads at most 72 bytes; longer passwords are refused at the edge rather than silently cut.
 */
import bcrypt from "bcryptjs";

export const MAX_PASSWORD_BYTES = 72;

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, 10);
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (!hash || !hash.startsWith("$2")) return false;
  try {
    return await bcrypt.compare(password, hash);
  } catch {
    return false;
  }
}
