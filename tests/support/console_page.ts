/**
 * What browser tests of console pages share: English text by message key, the markup that must show as
 * text, and the few page moves every flow makes (open and wait for hydration, press a named button,
 * confirm the dialog).
 */
import type { Locator, Page } from "playwright-core";
import { t } from "../../i18n/translate.ts";
import type { MessageKey } from "../../i18n/messages.ts";
import { waitForHydration } from "./browser.ts";

/** A value that runs script if it is ever rendered as HTML. */
export const EVIL = "<img src=x onerror=alert(1)>";

export const en = (key: MessageKey, params?: Record<string, string | number>) => t("en", key, params);

/** A button by its exact text, optionally inside `within` (a row, a form). */
export function button(page: Page, name: string, within?: Locator) {
  return (within ?? page).getByRole("button", { name, exact: true });
}

/** Presses "confirm" in the open confirmation dialog. */
export async function confirmDialog(page: Page) {
  await page.locator("dialog.confirm[open] [data-confirm]").click();
}

/** Goes to `url` and waits until every island is hydrated. */
export async function openPage(page: Page, url: string) {
  await page.goto(url);
  await waitForHydration(page);
}
