/**
 * Every message the management API answers with, by key, in English (New API's wording in meaning).
 * The console's i18n translates by key; `{name}` placeholders are filled by `msg`.
 */
export const messages = {
  // Requests
  invalidJson: "The request body is not valid JSON.",
  invalidBody: "The request body must be a JSON object.",
  invalidField: "Invalid {field}: {detail}",
  fieldRequired: "{field} is required.",
  bodyTooLarge: "The request body is too large (limit {limit} bytes).",
  notFound: "Not found.",
  internalError: "Internal error.",
  methodNotAllowed: "Use {method} for this route.",
  shuttingDown: "The server is shutting down.",

  // Authentication and roles
  notLoggedIn: "Not signed in: sign in, or send an access token in the Authorization header.",
  accessTokenInvalid: "The access token is invalid.",
  userHeaderInvalid: "The New-Api-User header does not match the signed-in user.",
  userDisabled: "This user has been disabled.",
  insufficientPrivilege: "You do not have permission to do this.",
  crossSiteRefused: "Cross-site request refused.",
  cannotManageRole: "You cannot manage a user whose role is equal to or higher than yours.",

  // First-run setup
  setupDone: "The system has already been initialized.",
  setupSucceeded: "System initialized.",
  setupUsernameTooLong: "The username must be at most 12 characters.",
  passwordMismatch: "The two passwords do not match.",

  // Usernames and passwords
  usernameRequired: "The username cannot be empty.",
  usernameTooLong: "The username must be at most {max} characters.",
  usernameInvalid: "The username cannot contain spaces or control characters.",
  usernameTaken: "The username is already taken.",
  passwordTooShort: "The password must be at least 8 characters.",
  passwordTooLong: "The password must be at most 72 bytes.",

  // Sign-in and registration
  passwordLoginDisabled: "Signing in with a password has been disabled by the administrator.",
  registerDisabled: "Registration is closed by the administrator.",
  passwordRegisterDisabled: "Registering with a password has been disabled by the administrator.",
  emailVerificationUnavailable: "Registration requires email verification, which this server does not offer.",
  wrongCredentials: "Wrong username or password, or the user has been disabled.",
  loggedOut: "Signed out.",

  // The signed-in user
  originalPasswordRequired: "Enter your current password to set a new one.",
  originalPasswordWrong: "The current password is incorrect.",
  cannotDeleteRoot: "The root user cannot be deleted.",
  updated: "Updated.",

  // User administration
  userNotFound: "The user does not exist.",
  cannotCreateRole: "You cannot create a user with a role equal to or higher than yours.",
  roleChangeViaManage: "Change a user's role with POST /api/user/manage.",
  cannotDisableRoot: "The root user cannot be disabled.",
  cannotDemoteRoot: "The root user cannot be demoted.",
  onlyRootPromotes: "Only the root user can promote users.",
  alreadyAdmin: "The user is already an administrator.",
  alreadyCommon: "The user is already a common user.",
  quotaChangeZero: "The quota change must be greater than 0.",
  quotaInsufficient: "The user's quota is lower than the amount to subtract.",
  quotaTooLarge: "The quota must be at most {max}.",
  unknownAction: "Unknown action {action}.",
  unknownQuotaMode: "Unknown quota mode {mode}: use add, subtract or override.",
  logQuotaAdded: "An administrator added {quota} to the quota.",
  logQuotaSubtracted: "An administrator subtracted {quota} from the quota.",
  logQuotaOverridden: "An administrator changed the quota from {from} to {to}.",

  // Tokens
  tokenNotFound: "The token does not exist.",
  tokenLimitReached: "You have reached the maximum number of tokens ({max}).",
  tokenExpiredTimeInvalid: "The expiry time must be -1 (never) or a time in the future.",
  tokenGroupNotAllowed: "You cannot use the group {group}.",
  tokenExpiredCannotEnable: "The token has expired and cannot be enabled; change its expiry time first.",
  tokenExhaustedCannotEnable: "The token's quota is used up and it cannot be enabled; raise its quota first.",
  tokenKeyNotRecoverable:
    "A key is shown only once, when it is created; regenerate the key to get a new one.",
  tokenStatusInvalid: "status must be 1 (enabled) or 2 (disabled).",
  allowIpsInvalid: "Invalid IP address or CIDR range in allow_ips: {value}",
  modelNameTooLong: "A model name must be at most 255 characters: {value}",

  // Channels
  channelNotFound: "The channel does not exist.",
  channelTypeInvalid: "Unknown channel type {type}.",
  channelKeyRequired: "The channel key cannot be empty.",
  channelBaseUrlInvalid: "base_url must be an http:// or https:// URL.",
  channelBaseUrlRequired: "This channel type needs a base_url.",
  channelJsonObject: "{field} must be a JSON object.",
  channelJsonStringMap: "{field} must be a JSON object whose values are strings.",
  channelVertexRegion: 'For Vertex AI, "other" must be a JSON object with a "default" region.',
  channelModeUnsupported: "Unsupported add mode {mode}: use single, batch or multi_to_single.",
  channelStatusInvalid: "status must be 1 (enabled) or 2 (disabled).",
  channelNameRequired: "The channel name cannot be empty.",
  tagRequired: "tag cannot be empty.",
  idsRequired: "ids cannot be empty.",

  // Options
  optionUnknown: "Unknown option {key}.",

  // Groups
  groupInvalid: "Invalid group name {group}.",

  // Redemption codes and top-up
  redemptionNotFound: "The redemption code does not exist.",
  redemptionNameLength: "The name must be 1 to 20 characters.",
  redemptionCountRange: "count must be between 1 and 100.",
  redemptionQuotaPositive: "The quota must be greater than 0.",
  redemptionStatusInvalid: "status must be 1 (enabled) or 2 (disabled), and a used code cannot change.",
  expiredTimePast: "The expiry time cannot be in the past.",
  redeemFailed: "Redemption failed: the code is invalid, already used or expired.",
  logTopup: "Redeemed a code worth {quota} (code id {id}).",
} as const;

export type MessageKey = keyof typeof messages;

/** The English text of `key` with `{name}` placeholders filled from `params`. */
export function msg(key: MessageKey, params: Record<string, string | number> = {}): string {
  return messages[key].replace(
    /\{(\w+)\}/g,
    (whole, name) => (name in params ? String(params[name]) : whole),
  );
}
