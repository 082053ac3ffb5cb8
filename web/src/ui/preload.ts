// The no-server paths (direct pairing and its QR scanner) are code-split
// to keep the first load small, but they are needed exactly when the
// server (the organiser's laptop) is gone. So they are fetched once the
// page is up and idle: a module imported once stays in the page, and the
// pairing view's import() then needs no network. The same goes for the
// crypto this browser will use (noble on plain http), which pairing needs
// to sign messages, and the QR code drawer of the share sheet.
import { primitives } from "../crypto/primitives";

export function preloadOfflinePaths(): void {
  const load = () => {
    // A failed prefetch (server already gone) is retried by the real import.
    import("./DirectView").catch(() => {});
    import("jsqr").catch(() => {});
    import("qrcode").catch(() => {});
    primitives().catch(() => {});
  };
  if (typeof requestIdleCallback === "function") requestIdleCallback(load, { timeout: 2000 });
  else setTimeout(load, 500);
}
