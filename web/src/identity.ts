// Who this tab is: a clientId kept for the tab's life (sessionStorage, so a
// reload is recognised and replaces its old self at once) and a display
// name remembered across visits (localStorage).
import { generateDisplayName } from "./chat/room-code";

const CLIENT_KEY = "fc.clientId";
const NAME_KEY = "fc.displayName";

function randomId(bytes = 12): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export interface Identity {
  clientId: string;
  displayName: string;
}

export function loadIdentity(session: Storage = sessionStorage, local: Storage = localStorage): Identity {
  let clientId = session.getItem(CLIENT_KEY);
  if (!clientId || !/^[A-Za-z0-9_-]{8,64}$/.test(clientId)) {
    clientId = randomId();
    session.setItem(CLIENT_KEY, clientId);
  }
  let displayName = local.getItem(NAME_KEY);
  if (!displayName) {
    displayName = generateDisplayName();
    local.setItem(NAME_KEY, displayName);
  }
  return { clientId, displayName };
}

export function saveDisplayName(name: string, local: Storage = localStorage): void {
  local.setItem(NAME_KEY, name.slice(0, 64));
}

/** A duplicated tab copies sessionStorage: the server tells us ("replaced"). */
export function renewClientId(session: Storage = sessionStorage): string {
  const id = randomId();
  session.setItem(CLIENT_KEY, id);
  return id;
}
