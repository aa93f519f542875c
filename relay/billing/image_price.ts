/**
 * Size and quality multipliers for per-call image prices (New API's DALL·E rules): DALL·E 2 sizes
 * 256² → 0.4, 512² → 0.45, 1024² → 1; a 1792 side → 2; DALL·E 3 HD → 2, or 1.5 on top of the 1792
 * multiplier (so HD 1792 = 3, matching OpenAI's $0.12 against $0.04).
 */
export function imagePriceMultiplier(model: string, size?: string, quality?: string): number {
  let m = 1;
  const s = (size ?? "").toLowerCase();
  if (s.includes("1792")) m = 2;
  else if (s === "256x256") m = 0.4;
  else if (s === "512x512") m = 0.45;
  if (model.startsWith("dall-e-3") && (quality ?? "").toLowerCase() === "hd") {
    m *= s.includes("1792") ? 1.5 : 2;
  }
  return m;
}
