import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, loadSettings, retentionOf } from "./settings";

describe("settings", () => {
  it("defaults to the mobile settings of the system we replace", () => {
    expect(loadSettings("", {})).toEqual(DEFAULT_SETTINGS);
  });
  it("takes the query over the build, the build over the default", () => {
    expect(loadSettings("?icePool=4", { VITE_ICE_CANDIDATE_POOL_SIZE: "8" }).iceCandidatePoolSize).toBe(4);
    expect(loadSettings("", { VITE_ICE_CANDIDATE_POOL_SIZE: "8" }).iceCandidatePoolSize).toBe(8);
    expect(loadSettings("?background=1500", {}).backgroundDisconnectMs).toBe(1500);
    expect(loadSettings("?history=100", { VITE_HISTORY_HOURS: "2" })).toMatchObject({ historyMessages: 100, historyHours: 2 });
  });
  it("turns the history settings into retention bounds", () => {
    expect(retentionOf(DEFAULT_SETTINGS)).toEqual({ maxMessages: 2000, maxPerAuthor: 500, maxAgeMs: 24 * 3600 * 1000 });
    expect(loadSettings("?history=0", {}).historyMessages).toBe(1);
  });
  it("ignores nonsense", () => {
    expect(loadSettings("?icePool=-1&background=soon", { VITE_ICE_CANDIDATE_POOL_SIZE: "999" })).toEqual(DEFAULT_SETTINGS);
  });
});
