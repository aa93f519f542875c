/**
 * GORM names the channel's OpenAIOrganization column `open_ai_organization`; earlier versions of this
 * gateway declared `openai_organization`. Copies values from the old column where a database has one
 * (the old column stays: the schema is only ever extended).
 */
import type { Migration } from "../migrate.ts";
import { existingColumns } from "../migrate.ts";

export const channelOpenAiOrganization: Migration = {
  id: "0003_channel_open_ai_organization",
  async up(tx) {
    if (!(await existingColumns(tx)).get("channels")?.has("openai_organization")) return;
    await tx.exec(
      `UPDATE channels SET open_ai_organization = openai_organization
       WHERE (open_ai_organization IS NULL OR open_ai_organization = '') AND openai_organization IS NOT NULL`,
    );
  },
};
