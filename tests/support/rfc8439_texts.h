// The plaintexts of RFC 8439's examples, as the text they are (the RFC prints each as a hex dump
// beside the same ASCII), for the ChaCha20, Poly1305 and AEAD tests.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace sb::test {

// Section 2.4.2 and 2.8.2 (114 bytes).
inline constexpr std::string_view kSunscreen =
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, "
    "sunscreen would be it.";

// Appendix A.2 #2 and A.3 #2, #3 (375 bytes).
inline constexpr std::string_view kIetfContribution =
    "Any submission to the IETF intended by the Contributor for publication as all or part of an "
    "IETF Internet-Draft or RFC and any statement made within the context of an IETF activity is "
    "considered an \"IETF Contribution\". Such statements include oral statements in IETF "
    "sessions, as well as written and electronic communications made at any time or place, which "
    "are addressed to";

// Appendix A.2 #3 and A.3 #4 (127 bytes).
inline constexpr std::string_view kJabberwocky =
    "'Twas brillig, and the slithy toves\nDid gyre and gimble in the wabe:\n"
    "All mimsy were the borogoves,\nAnd the mome raths outgrabe.";

inline std::vector<uint8_t> bytes_of(std::string_view s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

}  // namespace sb::test
