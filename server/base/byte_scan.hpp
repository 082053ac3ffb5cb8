// Scans over long runs of bytes, the part of every relayed signal that
// grows with its size: unmasking a client's frame, checking its UTF-8, and
// finding where a JSON string ends. 32 bytes a step where the CPU has AVX2
// (asked once, at start), 16 with SSE2 (every x86-64), else 8 or 1.
#pragma once

#include <cstddef>

namespace fc::base {

// The first byte in [p, end) from 0x80 up, or `end`.
const char* first_non_ascii(const char* p, const char* end);

// The first byte in [p, end) that a JSON string cannot simply contain: a
// quote, a backslash, a control byte or one from 0x80 up; or `end`.
const char* first_json_special(const char* p, const char* end);

// XORs data[0, size) with `key`, repeated (a WebSocket masking key).
void xor_repeating(char* data, std::size_t size, const unsigned char key[4]);

// Which instructions the scans use. Tests run both ways; nothing else
// needs to choose.
enum class ScanIsa { baseline, avx2 };
ScanIsa scan_isa();
// Picks `isa` if the CPU has it; returns what was picked.
ScanIsa set_scan_isa(ScanIsa isa);

} // namespace fc::base
