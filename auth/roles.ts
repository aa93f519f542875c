/** Who may act on whom: root on anyone, others only on strictly lower roles (GHSA-p845, GHSA-6x2c). */
import { Role } from "../store/users.ts";

export function canManageRole(actorRole: number, targetRole: number): boolean {
  return actorRole === Role.root || actorRole > targetRole;
}
