#include "extract/document.hpp"

#include "core/text.hpp"

#include <algorithm>

namespace geokg::extract {
namespace {

bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}

std::size_t word_count(std::string_view norm) {
  if (norm.empty()) return 0;
  return static_cast<std::size_t>(std::count(norm.begin(), norm.end(), ' ')) + 1;
}

bool terminal(const Token& t) noexcept { return t.punct == '.' || t.punct == '!' || t.punct == '?'; }

}  // namespace

bool is_boilerplate(std::string_view line, const Boilerplate& rules) {
  const std::string norm = core::normalize_alias(line);
  const bool letters = std::any_of(
      norm.begin(), norm.end(), [](char c) { return (c >= 'a' && c <= 'z') || static_cast<unsigned char>(c) >= 0x80; });
  if (!letters) return true;
  for (const auto& e : rules.exact)
    if (norm == e) return true;
  for (const auto& p : rules.prefix)
    if (starts_with(norm, p) && (norm.size() == p.size() || norm[p.size()] == ' ')) return true;
  // Bylines are short and carry no sentence-final period.
  const auto t = core::trim(line);
  if (word_count(norm) <= 8 && !t.empty() && t.back() != '.') {
    for (const auto& p : rules.byline)
      if (starts_with(norm, p) && norm.size() > p.size() && norm[p.size()] == ' ') return true;
  }
  return false;
}

void segment(std::string_view text, const Dictionaries::Impl& dict, std::vector<Token>& tokens,
             std::vector<SentenceSpan>& sentences) {
  tokens.clear();
  sentences.clear();
  // Tokenize line by line, dropping boilerplate; a dropped line counts as a paragraph break.
  std::size_t pos = 0;
  bool pending_break = false;
  std::vector<std::uint32_t> line_starts;  // first token of each kept line
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view line = text.substr(pos, nl - pos);
    if (core::trim(line).empty()) {
      pending_break = true;
    } else if (is_boilerplate(line, dict.boilerplate)) {
      pending_break = true;
    } else {
      const auto first = static_cast<std::uint32_t>(tokens.size());
      tokenize(text, pos, nl, dict.vocab, tokens);
      if (tokens.size() > first) {
        tokens[first].newlines = static_cast<std::uint8_t>(first == 0 ? 0 : pending_break ? 2 : 1);
        line_starts.push_back(first);
      }
      pending_break = false;
    }
    pos = nl + 1;
  }
  const auto n = static_cast<std::uint32_t>(tokens.size());
  if (n == 0) return;

  // A headline: a whole one-line paragraph without final punctuation.
  std::vector<bool> break_before(n + 1, false);
  for (std::size_t li = 0; li < line_starts.size(); ++li) {
    const auto b = line_starts[li];
    const auto e = li + 1 < line_starts.size() ? line_starts[li + 1] : n;
    if (tokens[b].newlines >= 2 || b == 0) break_before[b] = true;
    const bool next_para = e == n || tokens[e].newlines >= 2;
    const bool para_start = b == 0 || tokens[b].newlines >= 2;
    if (para_start && !next_para && e > b && !terminal(tokens[e - 1]) && tokens[e - 1].punct != ',' && e - b <= 25 &&
        (tokens[e].is(tf_cap) || tokens[e].is(tf_number) || tokens[e].punct == '"'))
      break_before[e] = true;
  }

  std::uint32_t start = 0;
  const auto close = [&](std::uint32_t end) {
    if (end > start) sentences.push_back(SentenceSpan{start, end});
    start = end;
  };
  // Text without sentence ends (tables, lists) is cut into pieces of at most this many tokens, at a comma
  // when there is one, so that no sentence is long enough to slow the coder down.
  constexpr std::uint32_t max_tokens = 160;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (i > start && break_before[i]) close(i);
    if (i - start >= max_tokens) {
      std::uint32_t cut = i;
      for (std::uint32_t k = i; k > start + max_tokens / 2; --k)
        if (tokens[k - 1].punct == ',' || tokens[k - 1].punct == ';') {
          cut = k;
          break;
        }
      close(cut);
    }
    const Token& t = tokens[i];
    bool ends = false;
    std::uint32_t end = i + 1;
    if (terminal(t) || (t.is(tf_abbrev) && (dict.vocab.classes(t.word) & wc_title_abbrev) == 0)) {
      // Closing quotes and brackets belong to the sentence they close.
      while (end < n && (tokens[end].punct == '"' || tokens[end].punct == ')') && tokens[end].newlines == 0 &&
             !tokens[end].is(tf_space_before))
        ++end;
      if (end < n && tokens[end].punct == '"' && tokens[end].newlines == 0 && terminal(t) &&
          (end + 1 == n || tokens[end + 1].is(tf_space_before)))
        ++end;
      if (end == n) {
        ends = true;
      } else {
        const Token& next = tokens[end];
        const bool upper = next.is(tf_cap) || next.is(tf_number) || next.punct == '"' || next.punct == '(';
        if (terminal(t)) {
          ends = upper || next.newlines > 0;
        } else {
          // An abbreviation ends a sentence only before a capitalised function word ("... the U.S. The ...").
          ends = next.newlines > 0 ||
                 (next.is(tf_cap) && (dict.vocab.classes(next.word) & wc_function) != 0 && !next.is(tf_abbrev));
        }
      }
    }
    if (ends) {
      close(end);
      i = end - 1;
    }
  }
  close(n);
}

}  // namespace geokg::extract
