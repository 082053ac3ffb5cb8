// Who this tab is: a clientId kept for the tab's life (sessionStorage, so a
// reload is recognised and replaces its old self at once), the resume token
// that proves it is ours (beside it, never sent to anyone but the signaling
// server), and a display name remembered across visits (localStorage).
import { generateDisplayName } from "./chat/room-code";
import { fromBase64url, toBase64url } from "./crypto/bytes";
import { randomId } from "./random";

const CLIENT_KEY = "fc.clientId";
const TOKEN_KEY = "fc.resumeToken";
const NAME_KEY = "fc.displayName";
const DEVICE_KEY = "fc.deviceKey";

const CLIENT_ID = /^[A-Za-z0-9_-]{8,64}$/;
const RESUME_TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

/** 12 bytes: 16 characters. */
const newClientId = (): string => randomId(12);
/** 24 bytes: 32 characters, 192 bits nobody can guess. */
const newResumeToken = (): string => randomId(24);

export interface Identity {
  clientId: string;
  displayName: string;
  /** Sent only in join-room: while we hold our clientId in a room (and for
   *  a while after a lost connection), a join naming it must carry this. */
  resumeToken: string;
}

export function loadIdentity(session: Storage = sessionStorage, local: Storage = localStorage): Identity {
  let clientId = session.getItem(CLIENT_KEY);
  let resumeToken = session.getItem(TOKEN_KEY);
  if (!clientId || !CLIENT_ID.test(clientId)) {
    clientId = newClientId();
    session.setItem(CLIENT_KEY, clientId);
    resumeToken = null; // a token belongs with one clientId only
  }
  if (!resumeToken || !RESUME_TOKEN.test(resumeToken)) {
    resumeToken = newResumeToken();
    session.setItem(TOKEN_KEY, resumeToken);
  }
  let displayName = local.getItem(NAME_KEY);
  if (!displayName) {
    displayName = generateDisplayName();
    local.setItem(NAME_KEY, displayName);
  }
  return { clientId, displayName, resumeToken };
}

export function saveDisplayName(name: string, local: Storage = localStorage): void {
  local.setItem(NAME_KEY, name.slice(0, 64));
}

/** A new clientId and resume token, together: a duplicated tab copies
 *  sessionStorage (the server tells us "replaced"), or someone else holds
 *  our clientId ("client-id-taken"). */
export function renewClientId(session: Storage = sessionStorage): Pick<Identity, "clientId" | "resumeToken"> {
  const clientId = newClientId();
  const resumeToken = newResumeToken();
  session.setItem(CLIENT_KEY, clientId);
  session.setItem(TOKEN_KEY, resumeToken);
  return { clientId, resumeToken };
}

/** The seed of this device's signing key (Ed25519, chat/authors.ts): made
 *  once, kept in localStorage, so every tab of the browser signs alike.
 *  Clearing the site's data makes a new one, which peers will show as a
 *  changed key. */
export function loadDeviceSeed(local: Storage = localStorage): Uint8Array {
  const kept = fromBase64url(local.getItem(DEVICE_KEY) ?? "");
  if (kept?.length === 32) return kept;
  const seed = crypto.getRandomValues(new Uint8Array(32));
  local.setItem(DEVICE_KEY, toBase64url(seed));
  return seed;
}
