#pragma once

#include "extract/dictionary_data.hpp"
#include "extract/tokenizer.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace geokg::extract {

struct SentenceSpan {
  std::uint32_t first = 0;  // token range [first, last)
  std::uint32_t last = 0;
};

// True for lines that are page furniture rather than article text: share buttons, "Leave a Reply",
// bylines, lines without letters ("0 160").
bool is_boilerplate(std::string_view line, const Boilerplate& rules);

// Tokenizes a document without its boilerplate lines and splits it into sentences: at . ! ? before a
// capitalised word (not after abbreviations such as Mr. or Sept.), at paragraph breaks, and after a
// one-line paragraph without final punctuation (a headline).
void segment(std::string_view text, const Dictionaries::Impl& dict, std::vector<Token>& tokens,
             std::vector<SentenceSpan>& sentences);

}  // namespace geokg::extract
