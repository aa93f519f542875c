/**
 * Midjourney-proxy's request rules as New API applies them, pure: which action a submit route means, the
 * billing model of an action (`mj_imagine`, …, New API's `ModelPrice` keys), Plus `customId` buttons and
 * the `simple-change` shorthand ("<taskId> U1"), and the `{code, description}` errors of the protocol.
 */

/** Midjourney-proxy's result codes: 1 submitted, 21 exists, 22 queued; 4 request error, 5 unknown. */
export const MjCode = { ok: 1, exists: 21, queued: 22, requestError: 4, unknown: 5 } as const;

/** A Midjourney-shaped failure: HTTP 400 (429 for code 30) with `{code, description, result, type}`. */
export class MjError extends Error {
  override name = "MjError";
  constructor(readonly code: number, readonly description: string, readonly status = 400) {
    super(description);
  }
}

/** The submit routes and the action each fixes; `null`: the action comes from the body. */
export const SUBMIT_ROUTES: Record<string, string | null> = {
  imagine: "IMAGINE",
  describe: "DESCRIBE",
  blend: "BLEND",
  shorten: "SHORTEN",
  edits: "EDITS",
  video: "VIDEO",
  "upload-discord-images": "UPLOAD",
  modal: "MODAL",
  change: null,
  "simple-change": null,
  action: null,
  /** `POST /mj/insight-face/swap`. */
  swap_face: "SWAP_FACE",
};

/** New API's `CovertMjpActionToModelName`: the model an action is priced and routed as. */
export function mjModelName(action: string): string {
  return action === "SWAP_FACE" ? "swap_face" : `mj_${action.toLowerCase()}`;
}

/** The fields of a submit body this gateway reads (the rest is forwarded untouched). */
export interface MjSubmit {
  prompt?: string;
  taskId?: string;
  action?: string;
  index?: number;
  content?: string;
  customId?: string;
  sourceBase64?: string;
  targetBase64?: string;
}

/** What a submit is: its action, the task it acts on (if any), and whether it is charged. */
export interface MjPlan {
  action: string;
  /** The earlier task this one acts on (change, action, modal, video); its channel serves it. */
  originId?: string;
  /** New API charges nothing for INPAINT and CUSTOM_ZOOM (their price is taken by the MODAL that follows). */
  charged: boolean;
}

const fail = (description: string) => new MjError(MjCode.requestError, description);

/** New API's `CoverPlusActionToNormalAction`: a Plus button (`MJ::JOB::upsample::2::…`) as an action. */
export function plusAction(customId: string | undefined): { action: string; index: number } {
  if (!customId) throw fail("custom_id_is_required");
  const parts = customId.split("::");
  const name = parts[1] === "JOB" ? parts[2] : parts[1];
  if (!name) throw fail("unknown_action");
  const index = () => {
    const n = Number(parts[3]);
    if (!/^\d+$/.test(parts[3] ?? "")) throw fail("index_parse_failed");
    return n;
  };
  if (name.includes("upsample")) return { action: "UPSCALE", index: index() };
  if (name.includes("variation")) {
    if (name === "variation") return { action: "VARIATION", index: index() };
    if (name === "low_variation") return { action: "LOW_VARIATION", index: 1 };
    if (name === "high_variation") return { action: "HIGH_VARIATION", index: 1 };
    throw fail(`unknown_action:${customId}`);
  }
  if (name.includes("pan")) return { action: "PAN", index: 1 };
  if (name.includes("reroll")) return { action: "REROLL", index: 1 };
  if (name === "Outpaint") return { action: "ZOOM", index: 1 };
  if (name === "CustomZoom") return { action: "CUSTOM_ZOOM", index: 1 };
  if (name === "Inpaint") return { action: "INPAINT", index: 1 };
  throw fail(`unknown_action:${customId}`);
}

/** New API's `ConvertSimpleChangeParams`: "<taskId> U1" / "V3" / "R". */
export function simpleChange(content: string): { taskId: string; action: string; index: number } | undefined {
  const split = content.split(" ");
  if (split.length !== 2 || !split[1]) return undefined;
  const word = split[1].toLowerCase();
  if (word === "r") return { taskId: split[0], action: "REROLL", index: 0 };
  const action = word[0] === "u" ? "UPSCALE" : word[0] === "v" ? "VARIATION" : undefined;
  const index = Number(word.slice(1, 2));
  if (!action || !(index >= 1 && index <= 4)) return undefined;
  return { taskId: split[0], action, index };
}

/** The plan of a submit on route `route` (a key of SUBMIT_ROUTES) with body `b`; MjError on bad input. */
export function planSubmit(route: string, b: MjSubmit): MjPlan {
  const fixed = SUBMIT_ROUTES[route];
  if (fixed === undefined) throw fail("unknown_relay_action");
  let action: string;
  let originId: string | undefined;
  if (route === "imagine") {
    if (!b.prompt) throw fail("prompt_is_required");
    action = fixed!;
  } else if (route === "swap_face") {
    if (!b.sourceBase64 || !b.targetBase64) throw fail("sour_base64_and_target_base64_is_required");
    action = fixed!;
  } else if (route === "action" || route === "change") {
    if (route === "action") {
      const p = plusAction(b.customId);
      action = p.action;
      if (!b.taskId) throw fail("task_id_is_required");
      originId = b.taskId;
    } else {
      if (!b.taskId) throw fail("task_id_is_required");
      if (!b.action) throw fail("action_is_required");
      if (!b.index) throw fail("index_is_required");
      action = b.action.toUpperCase();
      originId = b.taskId;
    }
  } else if (route === "simple-change") {
    if (!b.content) throw fail("content_is_required");
    const p = simpleChange(b.content);
    if (!p) throw fail("content_parse_failed");
    action = p.action;
    originId = p.taskId;
  } else if (route === "modal" || route === "video") {
    action = fixed!;
    if (route === "video" && !b.taskId) throw fail("task_id_is_required");
    if (b.taskId) originId = b.taskId;
    if (route === "modal" && !originId) throw fail("task_id_is_required");
  } else {
    action = fixed!;
  }
  return { action, originId, charged: action !== "INPAINT" && action !== "CUSTOM_ZOOM" };
}

/** Submit answers that started a task (New API charges these): submitted, already exists, queued. */
export function submitAccepted(code: number, action = ""): boolean {
  if (action === "SWAP_FACE") return code === MjCode.ok;
  return code === MjCode.ok || code === MjCode.exists || code === MjCode.queued;
}
