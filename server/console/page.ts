/** What a console page module exports (`routes/*.tsx`): its config and a component rendered with `PageProps`. */
import type { VNode } from "preact";
import type { Language } from "../../i18n/languages.ts";
import type { MessageKey } from "../../i18n/messages.ts";

/** The signed-in user, when the server knows it (see `ConsoleOptions.currentUser`). */
export interface ConsoleUser {
  id: number;
  username: string;
  displayName?: string;
  role: number;
  /** UserSetting.language, used when the browser has no `lang` cookie. */
  language?: string;
}

export interface PageConfig {
  /** URL path, New API's console URL (`/console/token`). */
  path: string;
  /** Message key of the page title. */
  title: MessageKey;
  /** `public` pages use the site layout; `console` pages the sidebar shell. */
  layout: "public" | "console";
  /** Minimum role (1 user, 10 admin, 100 root); enforced when the server knows the user. */
  role?: number;
  /** Pages shown before the first-run setup (only /setup): others redirect there until it is done. */
  beforeSetup?: boolean;
  /**
   * Pages that show what upstreams produced (task results): images, video and audio from any https
   * address are allowed by the CSP. Scripts stay our own.
   */
  remoteMedia?: boolean;
}

export interface PageProps {
  url: URL;
  lang: Language;
  systemName: string;
  /** Quota units per currency unit (New API's QuotaPerUnit, 500000). */
  quotaPerUnit: number;
  /** The site's announcement (the Notice option; "" for none), rendered as text. */
  notice: string;
  user?: ConsoleUser;
}

export interface PageModule {
  config: PageConfig;
  default: (props: PageProps) => VNode;
}
