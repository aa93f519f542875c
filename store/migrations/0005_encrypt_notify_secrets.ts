/**
 * Users' notification secrets in `users.setting` (webhook secret, Gotify token, Bark URL), kept in clear by
 * New API and by us before, are encrypted in place (../../notify/setting_secrets.ts); the other fields and
 * a setting that is not a JSON object are left as they are.
 *
 * Rolling back to New API after this: it reads the `enc:v1:` values as they are, so webhooks go out signed
 * with the wrong secret and Gotify and Bark deliveries fail until each user enters their secrets again.
 */
import type { Migration } from "../migrate.ts";
import { asInt, asJsonObject } from "../db.ts";
import { sealSettingSecrets, settingSecretFields } from "../../notify/setting_secrets.ts";

export const encryptNotifySecrets: Migration = {
  id: "0005_encrypt_notify_secrets",
  async up(tx, { secrets }) {
    const users = await tx.query<{ id: number; setting: string }>(
      `SELECT id, setting FROM users WHERE setting IS NOT NULL AND setting <> ''`,
    );
    for (const u of users) {
      // Anything but a JSON object reads as {}: nothing to seal, nothing written.
      const setting = asJsonObject(u.setting);
      const sealed = sealSettingSecrets(secrets.cryptoSecret, setting);
      if (settingSecretFields.every((f) => sealed[f] === setting[f])) continue;
      await tx.exec("UPDATE users SET setting = ? WHERE id = ?", [JSON.stringify(sealed), asInt(u.id)]);
    }
  },
};
