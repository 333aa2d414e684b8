#include "extract/dates.hpp"

#include <array>
#include <charconv>
#include <string_view>

namespace geokg::extract {
namespace {

constexpr std::array<std::string_view, 7> weekdays = {"sunday",   "monday", "tuesday", "wednesday",
                                                      "thursday", "friday", "saturday"};
struct MonthName {
  std::string_view name;
  unsigned month;
};
constexpr MonthName months[] = {
    {"january", 1}, {"jan", 1},       {"february", 2},  {"feb", 2},       {"march", 3}, {"april", 4},
    {"apr", 4},     {"may", 5},       {"june", 6},      {"jun", 6},       {"july", 7},  {"jul", 7},
    {"august", 8},  {"aug", 8},       {"september", 9}, {"sept", 9},      {"sep", 9},   {"october", 10},
    {"oct", 10},    {"november", 11}, {"nov", 11},      {"december", 12}, {"dec", 12},
};
constexpr std::string_view relative_words[] = {"yesterday", "today", "tonight", "tomorrow", "last",    "next",  "this",
                                               "week",      "month", "year",    "ago",      "earlier", "later", "day",
                                               "days",      "weeks", "months",  "years",    "weekend", "on",    "in"};
constexpr std::string_view number_words[] = {"",    "one",   "two",   "three", "four", "five",
                                             "six", "seven", "eight", "nine",  "ten"};

int weekday_of(std::string_view w) {
  for (std::size_t i = 0; i < weekdays.size(); ++i)
    if (w == weekdays[i]) return static_cast<int>(i);
  return -1;
}

unsigned month_of(std::string_view w) {
  for (const auto& m : months)
    if (w == m.name) return m.month;
  return 0;
}

core::Date add_days(core::Date d, int n) { return core::Date::from_days(d.days() + n); }

core::Date first_of(int year, unsigned month) {
  auto r = core::Date::from_ymd(year, month, 1);
  return r ? *r : core::Date{};
}

struct View {
  std::span<const Token> t;
  std::string_view text;
  const Vocabulary& v;
  // The vocabulary spelling, or the text itself for words outside the vocabulary (numbers, "5th").
  std::string_view word(std::size_t i) const {
    if (i >= t.size()) return {};
    if (t[i].word != 0) return v.spelling(t[i].word);
    return text.substr(t[i].begin, t[i].end - t[i].begin);
  }
  int number(std::size_t i) const {
    if (i >= t.size() || !t[i].is(tf_number)) {
      const auto w = word(i);
      for (std::size_t k = 1; k < std::size(number_words); ++k)
        if (w == number_words[k]) return static_cast<int>(k);
      return -1;
    }
    const auto w = word(i);
    int n = -1;
    if (w.empty() || std::from_chars(w.data(), w.data() + w.size(), n).ec != std::errc{}) return -1;
    return n;
  }
};

// Day of a "5th"-like token or a plain number.
int day_number(const View& v, std::size_t i) {
  int n = v.number(i);
  if (n < 0) {
    const auto w = v.word(i);
    if (w.size() >= 3 && w.size() <= 4) {
      int d = 0;
      const auto r = std::from_chars(w.data(), w.data() + w.size(), d);
      const std::string_view suffix(r.ptr, static_cast<std::size_t>(w.data() + w.size() - r.ptr));
      if (r.ec == std::errc{} && (suffix == "st" || suffix == "nd" || suffix == "rd" || suffix == "th")) n = d;
    }
  }
  return n >= 1 && n <= 31 ? n : -1;
}

int year_number(const View& v, std::size_t i) {
  const int n = v.number(i);
  return n >= 1900 && n <= 2100 ? n : -1;
}

}  // namespace

void add_date_words(Vocabulary& vocab) {
  for (auto w : weekdays) vocab.add_classes(vocab.intern(w), wc_date);
  for (const auto& m : months) vocab.add_classes(vocab.intern(m.name), wc_date);
  for (auto w : relative_words) vocab.add_classes(vocab.intern(w), wc_date);
  for (auto w : number_words) vocab.intern(w);
}

void find_dates(std::span<const Token> sentence, std::string_view text, const Vocabulary& vocab, core::Date published,
                std::vector<DateMention>& out) {
  out.clear();
  const View v{sentence, text, vocab};
  const auto n = sentence.size();
  const int pub_year = published.year();
  const unsigned pub_month = published.month();
  for (std::size_t i = 0; i < n; ++i) {
    if ((vocab.classes(sentence[i].word) & wc_date) == 0 && !sentence[i].is(tf_number)) continue;
    const auto w = v.word(i);
    const auto push = [&](std::size_t b, std::size_t e, core::Date d) {
      out.push_back(DateMention{static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(e), d});
    };
    if (const int wd = weekday_of(w); wd >= 0) {
      const auto prev = i > 0 ? v.word(i - 1) : std::string_view{};
      int back = (static_cast<int>(published.weekday()) - wd + 7) % 7;
      if (prev == "last" && back == 0) back = 7;
      if (prev == "next")
        back = -((wd - static_cast<int>(published.weekday()) + 7) % 7 == 0
                     ? 7
                     : (wd - static_cast<int>(published.weekday()) + 7) % 7);
      push(prev == "last" || prev == "next" || prev == "on" || prev == "this" ? i - 1 : i, i + 1,
           add_days(published, -back));
      continue;
    }
    if (w == "yesterday") {
      push(i, i + 1, add_days(published, -1));
      continue;
    }
    if (w == "today" || w == "tonight") {
      push(i, i + 1, published);
      continue;
    }
    if (w == "tomorrow") {
      push(i, i + 1, add_days(published, 1));
      continue;
    }
    if ((w == "last" || w == "next" || w == "this") && i + 1 < n) {
      const auto unit = v.word(i + 1);
      const int sign = w == "last" ? -1 : w == "next" ? 1 : 0;
      if (unit == "week" || unit == "weekend") {
        push(i, i + 2, add_days(published, 7 * sign));
        ++i;
        continue;
      }
      if (unit == "month") {
        int y = pub_year;
        int m = static_cast<int>(pub_month) + sign;
        if (m < 1) {
          m = 12;
          --y;
        }
        if (m > 12) {
          m = 1;
          ++y;
        }
        push(i, i + 2, sign == 0 ? published : first_of(y, static_cast<unsigned>(m)));
        ++i;
        continue;
      }
      if (unit == "year") {
        push(i, i + 2, sign == 0 ? published : first_of(pub_year + sign, 1));
        ++i;
        continue;
      }
    }
    if (w == "ago" && i >= 2) {
      const int k = v.number(i - 2);
      const auto unit = v.word(i - 1);
      if (k > 0) {
        int days = 0;
        if (unit == "day" || unit == "days")
          days = k;
        else if (unit == "week" || unit == "weeks")
          days = 7 * k;
        else if (unit == "month" || unit == "months")
          days = 30 * k;
        else if (unit == "year" || unit == "years")
          days = 365 * k;
        if (days > 0) push(i - 2, i + 1, add_days(published, -days));
      }
      continue;
    }
    if (const unsigned m = month_of(w); m != 0) {
      // "may" is also a modal verb: take it as a month only with a day or a year next to it.
      std::size_t b = i, e = i + 1;
      int day = -1, year = -1;
      if (i + 1 < n && (day = day_number(v, i + 1)) > 0) {
        e = i + 2;
        std::size_t k = e;
        if (k < n && sentence[k].punct == ',') ++k;
        if ((year = year_number(v, k)) > 0) e = k + 1;
      } else if (i > 0 && (day = day_number(v, i - 1)) > 0) {
        b = i - 1;
        if ((year = year_number(v, i + 1)) > 0) e = i + 2;
      } else if ((year = year_number(v, i + 1)) > 0) {
        e = i + 2;
      }
      const bool has_in = i > 0 && v.word(i - 1) == "in";
      if (w == "may" && day < 0 && year < 0) continue;
      if (day < 0 && year < 0 && !has_in && w.size() <= 4) continue;
      if (year < 0)
        year = (m < pub_month || (m == pub_month && (day < 0 || static_cast<unsigned>(day) <= published.day())))
                   ? pub_year
                   : pub_year - 1;
      auto d = core::Date::from_ymd(year, m, static_cast<unsigned>(day > 0 ? day : 1));
      if (d) push(has_in ? b - 1 : b, e, *d);
      i = e - 1;
      continue;
    }
    if (w == "in" && i + 1 < n) {
      if (const int y = year_number(v, i + 1); y > 0) {
        push(i, i + 2, first_of(y, 1));
        ++i;
      }
    }
  }
}

}  // namespace geokg::extract
