/**
 * Every island, by name. The server wraps these components in hydration markers wherever a page uses them;
 * the browser bundle loads each one lazily (its own chunk) when a page has its marker. Adding a file to
 * `islands/` means adding its line here (a test checks both lists match).
 */
export const islandLoaders = {
  LanguageSwitcher: () => import("./LanguageSwitcher.tsx"),
  ThemeToggle: () => import("./ThemeToggle.tsx"),
  UserMenu: () => import("./UserMenu.tsx"),
  SetupForm: () => import("./SetupForm.tsx"),
  LoginForm: () => import("./LoginForm.tsx"),
  RegisterForm: () => import("./RegisterForm.tsx"),
  Dashboard: () => import("./Dashboard.tsx"),
  TokenManager: () => import("./TokenManager.tsx"),
  ChannelManager: () => import("./ChannelManager.tsx"),
  LogTable: () => import("./LogTable.tsx"),
  UserManager: () => import("./UserManager.tsx"),
  RedemptionManager: () => import("./RedemptionManager.tsx"),
  TopUp: () => import("./TopUp.tsx"),
  Profile: () => import("./Profile.tsx"),
  SettingsForm: () => import("./SettingsForm.tsx"),
  Playground: () => import("./Playground.tsx"),
  PricingTable: () => import("./PricingTable.tsx"),
  ChatLauncher: () => import("./ChatLauncher.tsx"),
  TopUpOrderManager: () => import("./TopUpOrderManager.tsx"),
  OAuthCallback: () => import("./OAuthCallback.tsx"),
  AccountSecurity: () => import("./AccountSecurity.tsx"),
  LoginSessions: () => import("./LoginSessions.tsx"),
  OpsPanel: () => import("./OpsPanel.tsx"),
  TaskLogTable: () => import("./TaskLogTable.tsx"),
};

export type IslandName = keyof typeof islandLoaders;
