/**
 * The profile's sign-in sessions (New API's `GET /api/user/sessions`): where and how each live session
 * signed in and when it was last active, this one marked; end one, or every other one.
 */
import { useI18n } from "../i18n/context.ts";
import { useAction } from "../client/use_action.ts";
import { useApiGet } from "../client/use_api.ts";
import { formatTime } from "../client/format.ts";
import { ActionMessage } from "../components/ApiNotice.tsx";

interface SessionView {
  sid: string;
  current: boolean;
  login_method: string;
  ip: string;
  user_agent: string;
  created_at: number;
  last_active_at: number;
}

export default function LoginSessions() {
  const { t, lang } = useI18n();
  const list = useApiGet<SessionView[]>("/api/user/sessions");
  const action = useAction(() => list.reload());
  const sessions = list.result?.data ?? [];
  const end = async (s: SessionView) => {
    const r = await action.run("DELETE", `/api/user/sessions/${encodeURIComponent(s.sid)}`);
    if (r.ok && s.current) location.assign("/login");
  };

  return (
    <section class="card stack" data-testid="login-sessions">
      <h2>{t("sessions.title")}</h2>
      <ActionMessage message={action.message} />
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t("sessions.device")}</th>
              <th>{t("sessions.method")}</th>
              <th>{t("sessions.ip")}</th>
              <th>{t("sessions.last_active")}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.sid} data-sid={s.sid}>
                <td>
                  {s.user_agent || "—"}
                  {s.current && <strong>· {t("sessions.this_one")}</strong>}
                </td>
                <td>{s.login_method || "—"}</td>
                <td>{s.ip || "—"}</td>
                <td>{formatTime(s.last_active_at, lang)}</td>
                <td>
                  <button type="button" class="btn btn-danger" onClick={() => end(s)}>
                    {t("sessions.end")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {sessions.length > 1 && (
        <button
          type="button"
          class="btn"
          onClick={() => action.run("POST", "/api/user/sessions/revoke-others")}
        >
          {t("sessions.end_others")}
        </button>
      )}
    </section>
  );
}
