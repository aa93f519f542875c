/** The gateway's version, reported by /api/status (the VERSION env var overrides it). */
export const VERSION = "0.1.0";
