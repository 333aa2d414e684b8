#pragma once

#include "extract/lexicon.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace geokg::extract {

enum TokenFlag : std::uint16_t {
  tf_word = 1u << 0,
  tf_punct = 1u << 1,
  tf_number = 1u << 2,
  tf_cap = 1u << 3,            // starts with an upper-case letter
  tf_allcaps = 1u << 4,        // two or more letters, all upper case
  tf_abbrev = 1u << 5,         // kept its final period (U.S., Gen.)
  tf_possessive = 1u << 6,     // the 's or ' of a possessive
  tf_hyphen_before = 1u << 7,  // joined to the previous token by a hyphen
  tf_quote = 1u << 8,          // a quotation mark
  tf_space_before = 1u << 9,   // preceded by white space
  tf_ly = 1u << 10,            // a lower-case word ending in -ly (adverb-like)
};

struct Token {
  std::uint32_t begin = 0;  // byte offsets in the document
  std::uint32_t end = 0;
  std::uint32_t word = 0;  // vocabulary id of the key, 0 when the word is not in the vocabulary
  std::uint16_t flags = 0;
  std::uint8_t newlines = 0;  // line breaks since the previous token (capped at 3)
  char punct = 0;             // punctuation tokens: one of , ; : . ! ? ( ) " - e (ellipsis) / and 'o' (other)
  bool is(TokenFlag f) const noexcept { return (flags & f) != 0; }
};

// A token before interning: its lookup key is lower-case ASCII with periods and apostrophes removed
// ("U.S." -> "us"), which is what dictionary phrases are indexed by.
struct RawToken {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  std::uint16_t flags = 0;
  std::uint8_t newlines = 0;
  char punct = 0;
  std::string key;
};

// Splits text[from, to) into tokens: words (hyphenated words split at the hyphens), numbers, possessive
// markers ('s), "n't", and punctuation. Curly quotes, dashes and other typographic characters count as their
// ASCII forms. `vocab` supplies the abbreviations that keep their period.
void tokenize(std::string_view text, std::size_t from, std::size_t to, const Vocabulary& vocab,
              std::vector<RawToken>& out);

// Tokenizes and resolves keys to vocabulary ids (unknown words get 0).
void tokenize(std::string_view text, std::size_t from, std::size_t to, const Vocabulary& vocab,
              std::vector<Token>& out);

// The keys of a dictionary phrase, as the text tokenizer would produce them ("People's" -> people 's).
std::vector<std::string> phrase_keys(std::string_view phrase, const Vocabulary& vocab);

}  // namespace geokg::extract
