import { describe, expect, it } from "vitest";
import { generateDisplayName, generateRoomCode, isValidRoomCode, normaliseRoomCode, roomFromPath } from "./room-code";

describe("room codes", () => {
  it("normalises what people type", () => {
    expect(normaliseRoomCode("  Blue Tiger 42 ")).toBe("blue-tiger-42");
    expect(normaliseRoomCode("Café  Stage")).toBe("cafe-stage");
    expect(normaliseRoomCode("--main!stage")).toBe("mainstage");
    expect(normaliseRoomCode("x".repeat(80))).toHaveLength(64);
  });

  it("accepts only the contract's room ids", () => {
    expect(isValidRoomCode("blue-tiger-42")).toBe(true);
    expect(isValidRoomCode("")).toBe(false);
    expect(isValidRoomCode("-x")).toBe(false);
    expect(isValidRoomCode("Upper")).toBe(false);
  });

  it("generates valid, memorable codes and names", () => {
    for (let i = 0; i < 100; i++) {
      const code = generateRoomCode();
      expect(isValidRoomCode(code)).toBe(true);
      expect(code).toMatch(/^[a-z]+-[a-z]+-\d{2}$/);
      expect(generateDisplayName()).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
    }
  });

  it("reads room links", () => {
    expect(roomFromPath("/r/blue-tiger-42")).toBe("blue-tiger-42");
    expect(roomFromPath("/r/Blue%20Tiger")).toBe("blue-tiger");
    expect(roomFromPath("/")).toBeNull();
    expect(roomFromPath("/r/")).toBeNull();
  });
});
