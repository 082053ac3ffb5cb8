import { describe, expect, it } from "vitest";
import type { Member } from "../rtc/mesh";
import type { LinkState } from "../rtc/peer-link";
import { summary } from "./MemberList";

const members = (...states: LinkState[]): Member[] =>
  states.map((state, i) => ({ peerId: `p${i}`, clientId: `client-${i}`, displayName: `P${i}`, state }));

describe("the member list's folded summary", () => {
  it("counts you in", () => {
    expect(summary([])).toBe("Just you");
    expect(summary(members("direct"))).toBe("2 people · 1 direct");
  });

  it("says how many are reached directly, relayed, or not at all", () => {
    expect(summary(members("direct", "direct", "connecting", "relayed"))).toBe("5 people · 2 direct · 1 relayed");
    expect(summary(members("direct", "lost", "blocked"))).toBe("4 people · 1 direct · 2 not connected");
    expect(summary(members("same-device", "connecting"))).toBe("3 people · 1 direct");
  });
});
