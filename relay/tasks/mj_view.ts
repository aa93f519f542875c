/**
 * A `midjourneys` row as Midjourney-proxy's task object (New API's `MidjourneyDto`), and the signed
 * `/mj/image/{id}` address New API answers in place of the upstream's image URL (`MjForwardUrlEnabled`).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { deriveKey } from "../../crypto/keys.ts";
import type { MjTask } from "../../store/midjourneys.ts";

function parsed(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The signature that lets `/mj/image/{id}` be fetched without the owner's key (an `<img>` tag). */
export function mjImageSig(cryptoSecret: string, mjId: string): string {
  return createHmac("sha256", deriveKey(cryptoSecret, "mj-image")).update(mjId).digest("base64url").slice(
    0,
    32,
  );
}

export function mjImageSigValid(cryptoSecret: string, mjId: string, sig: string): boolean {
  const want = new TextEncoder().encode(mjImageSig(cryptoSecret, mjId));
  const got = new TextEncoder().encode(sig);
  return got.length === want.length && timingSafeEqual(got, want);
}

export interface ImageLink {
  /** `ServerAddress` (else the request's origin) when forwarding, undefined to show the upstream's URL. */
  forwardBase?: string;
  cryptoSecret: string;
}

/** The image URL a client is shown for `t`. */
export function mjImageUrl(t: MjTask, link: ImageLink): string {
  if (!t.imageUrl || link.forwardBase === undefined) return t.imageUrl;
  return `${link.forwardBase}/mj/image/${encodeURIComponent(t.mjId)}?sig=${
    mjImageSig(link.cryptoSecret, t.mjId)
  }`;
}

/** Midjourney-proxy's task object for `t`. */
export function mjTaskDto(t: MjTask, link: ImageLink): Record<string, unknown> {
  const buttons = parsed(t.buttons);
  const videoUrls = parsed(t.videoUrls);
  const properties = parsed(t.properties);
  return {
    id: t.mjId,
    action: t.action,
    customId: "",
    botType: "",
    prompt: t.prompt,
    promptEn: t.promptEn,
    description: t.description,
    state: t.state,
    submitTime: t.submitTime,
    startTime: t.startTime,
    finishTime: t.finishTime,
    imageUrl: mjImageUrl(t, link),
    videoUrl: t.videoUrl,
    videoUrls: Array.isArray(videoUrls) ? videoUrls : null,
    status: t.status,
    progress: t.progress,
    failReason: t.failReason,
    buttons: Array.isArray(buttons) ? buttons : null,
    maskBase64: "",
    properties: properties && typeof properties === "object" ? properties : null,
  };
}
