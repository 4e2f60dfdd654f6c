// Base64url without padding (RFC 4648 section 5, the "URL and filename safe" alphabet, with the
// '=' padding of section 3.2 left off), as the protocol writes keys: "x25519:" + 43 characters.
// Decoding is strict so every byte string has exactly one accepted text form.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sb::encoding {

// ceil(4 * len / 3) characters from A-Z a-z 0-9 - _.
std::string base64url_encode(const uint8_t* data, size_t len);

// The length a text of `len` bytes encodes to.
constexpr size_t base64url_encoded_size(size_t len) { return len / 3 * 4 + (len % 3 * 4 + 2) / 3; }

// Decodes `text` into out (replacing its contents). Refuses (false, out cleared): '=' or any other
// character outside the alphabet, a length of 1 mod 4 (no byte string encodes to that), and
// unused low bits of the last character that are not zero (RFC 4648 section 3.5: a canonical
// encoder leaves them zero, so "AB" and "AA" cannot both stand for the byte 0x00).
// Table lookups index by the input characters: meant for public values such as public keys.
bool base64url_decode(std::string_view text, std::vector<uint8_t>* out);

// The same for a fixed size: true only if text decodes to exactly n bytes, written to out[0..n).
bool base64url_decode_exact(std::string_view text, uint8_t* out, size_t n);

}  // namespace sb::encoding
