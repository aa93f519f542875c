/**
 * Picks a channel from the priority tiers of the routing index: the highest tier that still has a
 * channel not yet tried for this request, then weighted random inside that tier (New API's rules:
 * all-zero weights count as equal; when the average weight is below 10 every weight is scaled by 100
 * so small weights still differ). A retry therefore moves to untried channels, down the tiers.
 */

export interface Weighted {
  id: number;
  weight: number;
}

/** Returns a channel from `tiers` not in `exclude`, or undefined when every channel was tried. */
export function selectChannel<T extends Weighted>(
  tiers: readonly (readonly T[])[],
  exclude: ReadonlySet<number> = new Set(),
  random: () => number = Math.random,
): T | undefined {
  for (const tier of tiers) {
    const candidates = exclude.size === 0 ? tier : tier.filter((c) => !exclude.has(c.id));
    if (candidates.length === 0) continue;
    return pickWeighted(candidates, random);
  }
  return undefined;
}

export function pickWeighted<T extends Weighted>(candidates: readonly T[], random: () => number): T {
  if (candidates.length === 1) return candidates[0];
  let total = 0;
  for (const c of candidates) total += Math.max(0, c.weight);
  if (total === 0) return candidates[Math.floor(random() * candidates.length)];
  const scale = total / candidates.length < 10 ? 100 : 1;
  let point = random() * total * scale;
  for (const c of candidates) {
    point -= Math.max(0, c.weight) * scale;
    if (point < 0) return c;
  }
  return candidates[candidates.length - 1];
}
