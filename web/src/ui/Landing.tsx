// The landing page: start a new room, or type a code.
import { useState } from "preact/hooks";
import { generateRoomCode, isValidRoomCode, normaliseRoomCode } from "../chat/room-code";

export function Landing({ onJoin, onDirect }: { onJoin: (roomId: string) => void; onDirect: () => void }) {
  const [code, setCode] = useState("");
  const normalised = normaliseRoomCode(code);
  const valid = isValidRoomCode(normalised);
  return (
    <main class="landing">
      <h1>Festival Chat</h1>
      <p class="lede">Chat with the people around you, phone to phone. No sign-up, no server reading along.</p>
      <button class="primary" type="button" onClick={() => onJoin(generateRoomCode())}>
        Start a new room
      </button>
      <form
        class="join"
        onSubmit={(e) => {
          e.preventDefault();
          if (valid) onJoin(normalised);
        }}
      >
        <label for="room-code">Room code</label>
        <input
          id="room-code"
          autocomplete="off"
          autocapitalize="none"
          spellcheck={false}
          placeholder="blue-tiger-42"
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
        />
        <button type="submit" disabled={!valid}>
          Join
        </button>
        {code && !valid && <p class="hint">Use letters, digits and dashes.</p>}
        {code && valid && normalised !== code && <p class="hint">Joins “{normalised}”</p>}
      </form>
      <button type="button" onClick={onDirect}>
        No network? Pair directly
      </button>
    </main>
  );
}
