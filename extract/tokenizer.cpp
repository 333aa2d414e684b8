#include "extract/tokenizer.hpp"

#include <array>

namespace geokg::extract {
namespace {

constexpr bool is_ascii_alpha(unsigned char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_digit(unsigned char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_upper(unsigned char c) noexcept { return c >= 'A' && c <= 'Z'; }
constexpr bool is_lower(unsigned char c) noexcept { return c >= 'a' && c <= 'z'; }

// What a byte sequence at a position stands for.
enum class Glyph : std::uint8_t {
  space,
  newline,
  letter,
  digit,
  apostrophe,
  quote,
  dash,
  hyphen,
  period,
  ellipsis,
  other_punct,
  ignore
};

struct Look {
  Glyph glyph;
  std::uint8_t length;  // bytes
  char punct;
};

Look look(std::string_view s, std::size_t i) noexcept {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c == '\n') return {Glyph::newline, 1, 0};
  if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') return {Glyph::space, 1, 0};
  if (is_ascii_alpha(c)) return {Glyph::letter, 1, 0};
  if (is_digit(c)) return {Glyph::digit, 1, 0};
  if (c < 0x80) {
    switch (c) {
      case '\'': return {Glyph::apostrophe, 1, '\''};
      case '"': return {Glyph::quote, 1, '"'};
      case '`': return {Glyph::quote, 1, '"'};
      case '-': return {Glyph::hyphen, 1, '-'};
      case '.': return {Glyph::period, 1, '.'};
      case ',':
      case ';':
      case ':':
      case '!':
      case '?':
      case '(':
      case ')':
      case '/': return {Glyph::other_punct, 1, static_cast<char>(c)};
      case '[': return {Glyph::other_punct, 1, '('};
      case ']': return {Glyph::other_punct, 1, ')'};
      case '{': return {Glyph::other_punct, 1, '('};
      case '}': return {Glyph::other_punct, 1, ')'};
      default: return {Glyph::other_punct, 1, 'o'};
    }
  }
  const auto at = [&](std::size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  if (c == 0xC2) {
    const auto c2 = at(1);
    if (c2 == 0xA0) return {Glyph::space, 2, 0};                  // no-break space
    if (c2 == 0xAB || c2 == 0xBB) return {Glyph::quote, 2, '"'};  // « »
    if (c2 == 0xAD) return {Glyph::ignore, 2, 0};                 // soft hyphen
    if (c2 >= 0xA1 && c2 <= 0xBF) return {Glyph::other_punct, 2, 'o'};
  }
  if (c == 0xE2 && at(1) == 0x80) {
    const auto c3 = at(2);
    if (c3 == 0x98 || c3 == 0x99 || c3 == 0x9B) return {Glyph::apostrophe, 3, '\''};
    if (c3 == 0x9C || c3 == 0x9D || c3 == 0x9E || c3 == 0x9F) return {Glyph::quote, 3, '"'};
    if (c3 == 0x90 || c3 == 0x91) return {Glyph::hyphen, 3, '-'};
    if (c3 >= 0x92 && c3 <= 0x95) return {Glyph::dash, 3, '-'};
    if (c3 == 0xA6) return {Glyph::ellipsis, 3, 'e'};
    if (c3 == 0xA8 || c3 == 0xA9) return {Glyph::newline, 3, 0};
    if (c3 >= 0x80 && c3 <= 0x8F) return {c3 <= 0x8A ? Glyph::space : Glyph::ignore, 3, 0};
    if (c3 == 0xA2) return {Glyph::other_punct, 3, 'o'};  // bullet
    if (c3 == 0xAF) return {Glyph::space, 3, 0};
  }
  if (c == 0xEF && at(1) == 0xBB && at(2) == 0xBF) return {Glyph::ignore, 3, 0};  // byte-order mark
  if (c == 0xE3 && at(1) == 0x80 && at(2) == 0x80) return {Glyph::space, 3, 0};   // ideographic space
  // Any other non-ASCII character is part of a word (accented letters, other scripts).
  std::uint8_t len = 1;
  if ((c & 0xE0) == 0xC0)
    len = 2;
  else if ((c & 0xF0) == 0xE0)
    len = 3;
  else if ((c & 0xF8) == 0xF0)
    len = 4;
  if (i + len > s.size()) len = static_cast<std::uint8_t>(s.size() - i);
  return {Glyph::letter, len, 0};
}

bool is_word_glyph(Glyph g) noexcept { return g == Glyph::letter || g == Glyph::digit; }

// Emits tokens through `emit(begin, end, flags, punct, newlines, key)`.
template <class Emit>
void scan(std::string_view s, std::size_t from, std::size_t to, const Vocabulary& vocab, Emit&& emit) {
  std::size_t i = from;
  std::uint8_t newlines = 0;
  bool space_before = true;
  std::string key;
  key.reserve(64);
  // Segments of the current word: [begin, end) with the hyphen flag.
  struct Segment {
    std::size_t begin, end;
    bool hyphen_before;
  };
  std::array<Segment, 16> segments{};

  const auto flush_punct = [&](std::size_t b, std::size_t e, char p, std::uint16_t extra) {
    std::uint16_t flags = static_cast<std::uint16_t>(tf_punct | extra | (space_before ? tf_space_before : 0));
    emit(b, e, flags, p, newlines, std::string_view{});
    newlines = 0;
    space_before = false;
  };

  const auto make_key = [&](std::size_t b, std::size_t e) {
    key.clear();
    for (std::size_t k = b; k < e;) {
      const Look l = look(s, k);
      if (l.glyph == Glyph::period || l.glyph == Glyph::apostrophe || l.glyph == Glyph::ignore || s[k] == ',') {
        k += l.length;
        continue;
      }
      for (std::size_t m = 0; m < l.length; ++m) {
        const auto c = static_cast<unsigned char>(s[k + m]);
        key.push_back(is_upper(c) ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c));
      }
      k += l.length;
    }
  };

  const auto emit_word = [&](std::size_t b, std::size_t e, std::uint16_t extra) {
    std::uint16_t flags = extra;
    const auto c0 = static_cast<unsigned char>(s[b]);
    bool has_letter = false, all_upper = true, all_digits = true, any_upper = false;
    int letters = 0;
    for (std::size_t k = b; k < e; ++k) {
      const auto c = static_cast<unsigned char>(s[k]);
      if (is_ascii_alpha(c)) {
        has_letter = true;
        ++letters;
        if (is_lower(c))
          all_upper = false;
        else
          any_upper = true;
      }
      if (!is_digit(c) && c != ',' && c != '.') all_digits = false;
    }
    if (all_digits)
      flags |= tf_number;
    else
      flags |= tf_word;
    if (is_upper(c0) || (any_upper && !is_digit(c0))) flags |= tf_cap;
    if (has_letter && all_upper && letters >= 2) flags |= tf_allcaps;
    if (space_before) flags |= tf_space_before;
    if (e - b > 4 && s[e - 1] == 'y' && s[e - 2] == 'l' && !is_upper(c0)) flags |= tf_ly;
    make_key(b, e);
    emit(b, e, flags, 0, newlines, std::string_view(key));
    newlines = 0;
    space_before = false;
  };

  while (i < to) {
    const Look l = look(s, i);
    switch (l.glyph) {
      case Glyph::newline:
        if (newlines < 3) ++newlines;
        space_before = true;
        i += l.length;
        continue;
      case Glyph::space:
      case Glyph::ignore:
        space_before = true;
        i += l.length;
        continue;
      case Glyph::quote: {
        flush_punct(i, i + l.length, '"', tf_quote);
        i += l.length;
        continue;
      }
      case Glyph::apostrophe: {
        // '' (two apostrophes) is a closing quote; a lone one is a quote mark too.
        std::size_t e = i + l.length;
        if (e < to && look(s, e).glyph == Glyph::apostrophe) e += look(s, e).length;
        flush_punct(i, e, '"', tf_quote);
        i = e;
        continue;
      }
      case Glyph::dash:
        flush_punct(i, i + l.length, '-', 0);
        i += l.length;
        continue;
      case Glyph::hyphen: {
        std::size_t e = i + l.length;
        while (e < to && look(s, e).glyph == Glyph::hyphen) e += look(s, e).length;
        flush_punct(i, e, '-', 0);
        i = e;
        continue;
      }
      case Glyph::ellipsis:
        flush_punct(i, i + l.length, 'e', 0);
        i += l.length;
        continue;
      case Glyph::period: {
        std::size_t e = i + 1;
        while (e < to && s[e] == '.') ++e;
        flush_punct(i, e, e - i >= 3 ? 'e' : '.', 0);
        i = e;
        continue;
      }
      case Glyph::other_punct:
        flush_punct(i, i + l.length, l.punct, 0);
        i += l.length;
        continue;
      case Glyph::letter:
      case Glyph::digit: break;
    }
    // A word: letters and digits, joined by internal periods (U.S, 3.5), apostrophes (O'Neill, don't),
    // hyphens (pro-Russian), ampersands (AT&T) and digit commas (1,000).
    const std::size_t b = i;
    std::size_t n_segments = 0;
    std::size_t seg_begin = b;
    bool seg_hyphen = false;
    std::size_t e = i;
    while (e < to) {
      const Look g = look(s, e);
      if (is_word_glyph(g.glyph)) {
        e += g.length;
        continue;
      }
      const std::size_t next = e + g.length;
      const bool next_word = next < to && is_word_glyph(look(s, next).glyph);
      if ((g.glyph == Glyph::period || g.glyph == Glyph::apostrophe) && next_word) {
        e = next;
        continue;
      }
      if (g.glyph == Glyph::other_punct && next_word &&
          ((s[e] == '&' && is_ascii_alpha(static_cast<unsigned char>(s[next]))) ||
           (s[e] == ',' && is_digit(static_cast<unsigned char>(s[e - 1])) && next + 2 < to &&
            is_digit(static_cast<unsigned char>(s[next])) && is_digit(static_cast<unsigned char>(s[next + 1])) &&
            is_digit(static_cast<unsigned char>(s[next + 2])) &&
            (next + 3 >= to || !is_word_glyph(look(s, next + 3).glyph))))) {
        e = next;
        continue;
      }
      if (g.glyph == Glyph::hyphen && next_word && n_segments + 1 < segments.size()) {
        segments[n_segments++] = {seg_begin, e, seg_hyphen};
        seg_begin = next;
        seg_hyphen = true;
        e = next;
        continue;
      }
      break;
    }
    // A final period is kept by abbreviations: letter-period sequences (U.S.) and listed words (Gen.).
    bool abbrev = false;
    if (e < to && s[e] == '.') {
      const std::size_t len = e - seg_begin;
      bool letter_periods = len >= 1;
      for (std::size_t k = seg_begin; k < e; ++k) {
        const bool letter_pos = ((k - seg_begin) % 2) == 0;
        const auto c = static_cast<unsigned char>(s[k]);
        if (letter_pos ? !is_ascii_alpha(c) : c != '.') letter_periods = false;
      }
      if (letter_periods && (len > 1 || is_upper(static_cast<unsigned char>(s[seg_begin])))) {
        abbrev = true;
      } else {
        make_key(seg_begin, e);
        const auto id = vocab.find(key);
        if (id != 0 && (vocab.classes(id) & wc_abbrev) != 0) abbrev = true;
      }
      if (abbrev) ++e;
    }
    segments[n_segments++] = {seg_begin, e, seg_hyphen};
    i = e;

    for (std::size_t k = 0; k < n_segments; ++k) {
      auto [sb, se, hyphen] = segments[k];
      const std::uint16_t extra =
          static_cast<std::uint16_t>((hyphen ? tf_hyphen_before : 0) | (abbrev && k + 1 == n_segments ? tf_abbrev : 0));
      // Split the clitics: possessive 's, negation n't.
      std::size_t split = se;
      bool possessive = false, negation = false;
      if (k + 1 == n_segments && !abbrev && se - sb >= 3) {
        // ASCII apostrophe + s
        if ((s[se - 1] == 's' || s[se - 1] == 'S') && s[se - 2] == '\'') {
          split = se - 2;
          possessive = true;
        } else if ((s[se - 1] == 's' || s[se - 1] == 'S') && se - sb >= 5 &&
                   static_cast<unsigned char>(s[se - 4]) == 0xE2 && static_cast<unsigned char>(s[se - 3]) == 0x80 &&
                   (static_cast<unsigned char>(s[se - 2]) == 0x99 || static_cast<unsigned char>(s[se - 2]) == 0x98)) {
          split = se - 4;
          possessive = true;
        } else if ((s[se - 1] == 't' || s[se - 1] == 'T') && (s[se - 3] == 'n' || s[se - 3] == 'N') &&
                   s[se - 2] == '\'' && se - sb >= 4) {
          split = se - 3;
          negation = true;
        } else if ((s[se - 1] == 't' || s[se - 1] == 'T') && se - sb >= 6 &&
                   static_cast<unsigned char>(s[se - 4]) == 0xE2 && static_cast<unsigned char>(s[se - 2]) == 0x99 &&
                   (s[se - 5] == 'n' || s[se - 5] == 'N')) {
          split = se - 5;
          negation = true;
        }
      }
      emit_word(sb, split, extra);
      if (possessive) {
        emit(split, se, static_cast<std::uint16_t>(tf_word | tf_possessive), 0, 0, std::string_view("'s"));
      } else if (negation) {
        emit(split, se, static_cast<std::uint16_t>(tf_word), 0, 0, std::string_view("n't"));
      }
    }
    // Plural possessive: "States' commitment".
    if (i < to && !abbrev) {
      const Look g = look(s, i);
      if (g.glyph == Glyph::apostrophe && (s[i - 1] == 's' || s[i - 1] == 'S')) {
        const std::size_t next = i + g.length;
        const bool word_follows = next < to && is_word_glyph(look(s, next).glyph);
        const bool closing = next < to && look(s, next).glyph == Glyph::apostrophe;
        if (!word_follows && !closing) {
          emit(i, next, static_cast<std::uint16_t>(tf_word | tf_possessive), 0, 0, std::string_view("'s"));
          i = next;
        }
      }
    }
  }
}

}  // namespace

void tokenize(std::string_view text, std::size_t from, std::size_t to, const Vocabulary& vocab,
              std::vector<RawToken>& out) {
  scan(text, from, to, vocab,
       [&](std::size_t b, std::size_t e, std::uint16_t flags, char punct, std::uint8_t newlines, std::string_view key) {
         out.push_back(RawToken{static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(e), flags, newlines, punct,
                                std::string(key)});
       });
}

void tokenize(std::string_view text, std::size_t from, std::size_t to, const Vocabulary& vocab,
              std::vector<Token>& out) {
  scan(text, from, to, vocab,
       [&](std::size_t b, std::size_t e, std::uint16_t flags, char punct, std::uint8_t newlines, std::string_view key) {
         const std::uint32_t id = !key.empty() ? vocab.find(key)
                                  : punct != 0 ? vocab.find(std::string_view(&punct, 1))
                                               : 0;
         out.push_back(Token{static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(e), id, flags, newlines, punct});
       });
}

std::vector<std::string> phrase_keys(std::string_view phrase, const Vocabulary& vocab) {
  std::vector<RawToken> raw;
  tokenize(phrase, 0, phrase.size(), vocab, raw);
  std::vector<std::string> keys;
  keys.reserve(raw.size());
  for (auto& t : raw) {
    if (t.flags & tf_punct) {
      if (t.punct == '-' || t.punct == '"') continue;  // "Israel-Hamas" and "Israel - Hamas" index alike
      keys.emplace_back(1, t.punct);
      continue;
    }
    keys.push_back(std::move(t.key));
  }
  return keys;
}

}  // namespace geokg::extract
