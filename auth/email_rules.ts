/**
 * New API's rules for the addresses a verification code may go to: a plain mailbox of at most 50
 * characters, on a whitelisted domain when `EmailDomainRestrictionEnabled`, and without `+` or `.` in
 * the local part when `EmailAliasRestrictionEnabled`.
 */
import { isMailbox } from "../notify/email.ts";

export interface EmailRules {
  domainRestriction: boolean;
  /** New API's comma-separated `EmailDomainWhitelist`. */
  domainWhitelist: string;
  aliasRestriction: boolean;
}

export type EmailRefusal = "invalid" | "domain" | "alias";

/** Why `email` may not receive a code, or undefined when it may. */
export function refuseEmail(email: string, rules: EmailRules): EmailRefusal | undefined {
  if (email.length > 50 || !isMailbox(email)) return "invalid";
  const at = email.lastIndexOf("@");
  const local = email.slice(0, at);
  const domain = email.slice(at + 1).toLowerCase();
  if (rules.domainRestriction) {
    const allowed = rules.domainWhitelist.split(",").map((d) => d.trim().toLowerCase()).filter(Boolean);
    if (!allowed.includes(domain)) return "domain";
  }
  if (rules.aliasRestriction && /[+.]/.test(local)) return "alias";
  return undefined;
}
