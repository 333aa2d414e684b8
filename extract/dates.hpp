#pragma once

#include "core/date.hpp"
#include "extract/lexicon.hpp"
#include "extract/tokenizer.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace geokg::extract {

struct DateMention {
  std::uint32_t begin = 0;  // token range in the sentence
  std::uint32_t end = 0;
  core::Date date;
};

// Adds the words date expressions are made of to the vocabulary (class wc_date).
void add_date_words(Vocabulary& vocab);

// Date expressions of a sentence, resolved against the publication date: "on Thursday" (the last Thursday
// on or before it), "yesterday", "last week", "in September" (the 1st; last year's when September is still
// to come), "Sept. 5, 2023", "5 September", "three days ago", "in 2022".
void find_dates(std::span<const Token> sentence, std::string_view text, const Vocabulary& vocab, core::Date published,
                std::vector<DateMention>& out);

}  // namespace geokg::extract
