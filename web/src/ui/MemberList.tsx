// Who is in the room and how each link stands. Folded, it is one line of
// chips that scrolls sideways under a summary ("5 people · 3 direct"), so
// twenty people never push the conversation off a phone; unfolded, every
// chip shows, in a box of bounded height with its own scroll.
import { useState } from "preact/hooks";
import type { Member, MemberState } from "../rtc/mesh";

const STATE_LABEL: Record<MemberState, string> = {
  connecting: "connecting",
  direct: "direct",
  relayed: "relayed via TURN",
  reconnecting: "reconnecting",
  blocked: "can't connect: no TURN relay on this server",
  lost: "lost",
  "same-device": "this device",
  tampered: "refused: its connection was tampered with",
};

export function MemberList({
  selfName,
  members,
  onRename,
}: {
  selfName: string;
  members: readonly Member[];
  /** False when the name is refused (empty): the form stays open. */
  onRename: (name: string) => boolean;
}) {
  const [open, setOpen] = useState(false);
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState("");

  return (
    <section class={open ? "members open" : "members"} aria-label="People in this room">
      <button type="button" class="members-toggle" aria-expanded={open} aria-controls="member-list" onClick={() => setOpen(!open)}>
        {summary(members)}
        <span class="chevron" aria-hidden="true">
          {open ? "▴" : "▾"}
        </span>
      </button>
      <ul id="member-list">
        <li class="me">
          {renaming ? (
            <form
              class="rename"
              onSubmit={(e) => {
                e.preventDefault();
                if (onRename(name)) setRenaming(false);
              }}
            >
              <label for="display-name" class="visually-hidden">
                Your name
              </label>
              <input
                id="display-name"
                aria-label="Your name"
                autocomplete="nickname"
                maxLength={64}
                value={name}
                ref={(el) => el?.focus()}
                onInput={(e) => setName(e.currentTarget.value)}
                onKeyDown={(e) => e.key === "Escape" && setRenaming(false)}
              />
              <button type="submit">Save</button>
            </form>
          ) : (
            <>
              {selfName} (you){" "}
              <button
                type="button"
                class="link-button"
                onClick={() => {
                  setName(selfName);
                  setRenaming(true);
                }}
              >
                Change name
              </button>
            </>
          )}
        </li>
        {members.map((m) => (
          <li key={m.clientId} class={`peer ${m.state}`}>
            {m.displayName || "Someone"} <span class="state">{STATE_LABEL[m.state]}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** "5 people · 3 direct · 1 relayed": everyone listed counted once, you
 *  included; those we cannot reach are counted apart. */
export function summary(members: readonly Member[]): string {
  const people = members.length + 1;
  const count = (s: MemberState) => members.filter((m) => m.state === s).length;
  const parts = [people === 1 ? "Just you" : `${people} people`];
  const direct = count("direct") + count("same-device");
  const relayed = count("relayed");
  if (people > 1) parts.push(`${direct} direct`);
  if (relayed) parts.push(`${relayed} relayed`);
  const lost = count("lost") + count("blocked") + count("tampered");
  if (lost) parts.push(`${lost} not connected`);
  return parts.join(" · ");
}
