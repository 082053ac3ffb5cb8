// The landing page: start a new room (its secret is made here and travels
// only in its link and QR code), or type a code, or make one up to read
// aloud.
import { useState } from "preact/hooks";
import { normaliseRoomCode, WEAK_CODE_LENGTH } from "../chat/room-code";
import type { RoomRef } from "../chat/room-link";
import { canonicalCode, generateRoomCode, newRoomSecret } from "../crypto/room-keys";

export function Landing({ onJoin, onDirect }: { onJoin: (room: RoomRef) => void; onDirect: () => void }) {
  const [code, setCode] = useState("");
  const normalised = normaliseRoomCode(code);
  const strength = canonicalCode(normalised).length;
  const valid = strength > 0;
  return (
    <main class="landing">
      <h1>Festival Chat</h1>
      <p class="lede">Chat with the people around you, phone to phone. No sign-up, no server reading along.</p>
      <button class="primary" type="button" onClick={() => onJoin({ kind: "secret", secret: newRoomSecret() })}>
        Start a new room
      </button>
      <form
        class="join"
        onSubmit={(e) => {
          e.preventDefault();
          if (valid) onJoin({ kind: "code", code: normalised });
        }}
      >
        <label for="room-code">Room code</label>
        <input
          id="room-code"
          autocomplete="off"
          autocapitalize="none"
          spellcheck={false}
          placeholder="k7qf-m2xp-th9r"
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
        />
        <button type="submit" disabled={!valid}>
          Join
        </button>
        <button type="button" class="link-button" onClick={() => setCode(generateRoomCode())}>
          Make up a code to read aloud
        </button>
        {code && !valid && <p class="hint">Use letters and digits.</p>}
        {valid && strength < WEAK_CODE_LENGTH && (
          <p class="hint">
            A short code is easy to guess, and whoever guesses it can join. Codes made here have 12 characters.
          </p>
        )}
        {valid && normalised !== code && <p class="hint">Joins “{normalised}”</p>}
      </form>
      <button type="button" onClick={onDirect}>
        No network? Pair directly
      </button>
    </main>
  );
}
