// Stage 8 of the sentence coder (events) and the Coder facade; the stages are listed in sentence_coder.hpp.
#include "extract/coder.hpp"
#include "extract/sentence_coder.hpp"

#include <algorithm>
#include <cmath>

namespace geokg::extract {
namespace detail {

void SentenceCoder::code(const SentenceSpan& s, std::int32_t index, std::vector<Event>& out) {
  toks_ = std::span<const Token>(w_.tokens).subspan(s.first, s.last - s.first);
  n_ = static_cast<std::uint32_t>(toks_.size());
  caseless_ = true;
  for (const auto& t : toks_)
    if (t.is(tf_word) && !t.is(tf_cap)) caseless_ = false;
  if (!caseless_) {
    caseless_ = true;
    for (const auto& t : toks_)
      if (t.is(tf_word) && !t.is(tf_allcaps) && t.word != poss_) caseless_ = false;
  }
  find_mentions();
  add_pronouns();
  build_groups();
  mark_boundaries();
  find_dates(toks_, text_, d_.vocab, published_, w_.dates);
  w_.in_date.assign(n_ + 1, false);
  for (const auto& dm : w_.dates)
    for (auto q = dm.begin; q < dm.end && q < n_; ++q) w_.in_date[q] = true;
  find_triggers();
  for (auto& t : w_.triggers) match(t);
  share_objects();
  drop_nested_triggers();
  for (std::size_t i = 0; i < w_.triggers.size(); ++i) resolve_subject(i);
  apply_modality();
  emit(s, index, out);
  update_salience();
}

std::uint64_t SentenceCoder::cls(std::uint32_t i) const noexcept {
  if (i >= n_) return 0;
  const auto c = d_.vocab.classes(toks_[i].word);
  // Unlisted words in -ly are adverbs ("deliberately", "repeatedly").
  if (c == 0 && toks_[i].is(tf_ly)) return wc_adverb;
  return c;
}

std::string_view SentenceCoder::surface(std::uint32_t b, std::uint32_t e) const {
  if (b >= e) return {};
  return text_.substr(toks_[b].begin, toks_[e - 1].end - toks_[b].begin);
}

MentionedActor SentenceCoder::actor(const Mention& m, Date date) const {
  MentionedActor a;
  const auto& e = d_.actors[m.ref.actor];
  a.text = std::string(surface(m.begin, m.end));
  if (m.ref.actor == d_.nowhere) {
    const auto& ag = d_.agents[m.ref.agent];
    a.id = e.id + "-" + ag.code;
    a.name = ag.label;
    a.type = ag.type;
    return a;
  }
  if (m.ref.agent != 0 && e.type == ActorType::country) {
    const auto& ag = d_.agents[m.ref.agent];
    a.id = e.id + "-" + ag.code;
    a.name = (e.adjective.empty() ? e.name : e.adjective) + " " + ag.label;
    a.type = ag.type;
    a.country = e.id;
    return a;
  }
  a.id = e.id;
  a.name = e.name;
  a.type = e.type;
  if (e.type == ActorType::country) {
    a.country = e.country.empty() ? e.id : e.country;
  } else if (e.type == ActorType::person) {
    a.country = e.country;
    for (const auto& r : e.roles) {
      if (!r.when.contains(date)) continue;
      const auto it = d_.actor_by_id.find(r.org);
      if (it == d_.actor_by_id.end()) continue;
      const auto& org = d_.actors[it->second];
      if (org.type == ActorType::country) {
        a.country = org.id;
        break;
      }
      if (org.type == ActorType::igo) a.country.clear();
    }
  } else {
    a.country = e.country;
  }
  return a;
}

Date SentenceCoder::event_date(const Trigger& t) const {
  const DateMention* best = nullptr;
  std::uint32_t best_dist = UINT32_MAX;
  const auto crosses = [&](std::uint32_t a, std::uint32_t b) {
    for (auto q = a; q < b; ++q)
      if (w_.boundary[q] && (has(q, wc_sub | wc_report) || toks_[q].punct == ';')) return true;
    return false;
  };
  for (const auto& d : w_.dates) {
    if (d.begin >= t.end ? crosses(t.end, d.begin) : crosses(d.end, t.begin)) continue;
    const std::uint32_t dist = d.begin >= t.end ? d.begin - t.end : t.begin >= d.end ? t.begin - d.end : 0;
    if (dist < best_dist) {
      best_dist = dist;
      best = &d;
    }
  }
  return best ? best->date : published_;
}

float SentenceCoder::confidence(const Trigger& t, const Group& s, const Group* o) const {
  float c = 0.55f;
  if (t.pattern->specificity >= 3) c += 0.15f;
  if (t.pattern->specificity >= 5) c += 0.05f;
  if (!s.coref)
    c += 0.1f;
  else
    c -= 0.1f;
  if (o && o->coref) c -= 0.1f;
  if (t.inherited) c -= 0.1f;
  if (t.polarity != Polarity::asserted) c -= 0.05f;
  c = std::clamp(c, 0.05f, 0.95f);
  return std::round(c * 100.f) / 100.f;
}

void SentenceCoder::emit(const SentenceSpan& s, std::int32_t index, std::vector<Event>& out) {
  (void)s;
  static const std::string claim_code = "015", accuse_code = "112";
  bool have_sentence = false;
  std::string sentence;
  std::int64_t start = 0, end = 0;
  const auto& ms = w_.mentions;
  for (const auto& t : w_.triggers) {
    if (!t.pattern || t.suppressed) continue;
    const Group* sg = t.subject != none ? &w_.groups[static_cast<std::size_t>(t.subject)] : nullptr;
    const Group* og = t.target != none ? &w_.groups[static_cast<std::size_t>(t.target)] : nullptr;
    if (!t.pattern->pair && !sg) continue;
    // "Egypt and Qatar urged them to ...": a pronoun object is not the subject of its own clause.
    if (og && sg && og->coref &&
        std::any_of(ms.begin() + og->first, ms.begin() + og->first + og->count, [&](const Mention& m) {
          return std::any_of(ms.begin() + sg->first, ms.begin() + sg->first + sg->count,
                             [&](const Mention& n) { return n.ref == m.ref; });
        }))
      og = nullptr;
    if (!have_sentence) {
      sentence = collapse(text_.substr(toks_.front().begin, toks_.back().end - toks_.front().begin));
      start = offset(toks_.front().begin);
      end = offset(toks_.back().end);
      have_sentence = true;
    }
    const Date date = event_date(t);
    const float conf = confidence(t, sg ? *sg : *og, og);
    const bool symmetric = t.pattern->mutual || d_.rules.is_symmetric(t.code);
    const auto add = [&](const Mention& a, const Mention* b, const std::string& code = std::string()) {
      // An event between actors of unknown country says nothing about any country.
      if (a.ref.actor == d_.nowhere && (!b || b->ref.actor == d_.nowhere)) return;
      Event e;
      e.subject = actor(a, date);
      if (b) {
        e.object = actor(*b, date);
        if (e.object->id == e.subject.id) return;
      }
      e.relation_code = code.empty() ? t.code : code;
      e.date = date;
      e.polarity = t.polarity;
      e.confidence = conf;
      e.sentence_index = index;
      e.sentence = sentence;
      e.start = start;
      e.end = end;
      e.trigger = std::string(surface(t.begin, t.end));
      e.pattern = d_.blocks[t.block].lemma + (t.pattern->text.empty() ? "" : " " + t.pattern->text);
      // The same triple twice in one sentence (two patterns, two mentions) is one event.
      for (auto x = out.rbegin(); x != out.rend() && x->sentence_index == index; ++x)
        if (x->subject.id == e.subject.id && x->relation_code == e.relation_code && x->polarity == e.polarity &&
            (x->object ? x->object->id : "") == (e.object ? e.object->id : ""))
          return;
      out.push_back(std::move(e));
    };
    // A compound acting on itself: "a summit between Kim and Putin", or "A and B met".
    const auto pairs = [&](const Group& g) {
      for (auto a = g.first; a < g.first + g.count; ++a)
        for (auto b = g.first; b < g.first + g.count; ++b)
          if (a != b) add(ms[a], &ms[b]);
    };
    if (t.pattern->pair) {
      pairs(*og);
      continue;
    }
    // "A met B" is one triple A->B; "A and B met" is A->B and B->A.
    if (og) {
      const bool reciprocal = t.pattern->reciprocal && d_.rules.is_reciprocal(t.code);
      for (auto a = sg->first; a < sg->first + sg->count; ++a)
        for (auto b = og->first; b < og->first + og->count; ++b) {
          add(ms[a], &ms[b]);
          if (reciprocal) add(ms[b], &ms[a]);
        }
    } else if (sg->count >= 2 && symmetric) {
      pairs(*sg);
    } else if (t.pattern->intransitive) {
      for (auto a = sg->first; a < sg->first + sg->count; ++a) add(ms[a], nullptr);
    }
    // "Israel said Hamas fired rockets": Israel accuses Hamas; "Hamas said it fired": Hamas claims the attack.
    if (t.claimant != none) {
      const Group& rg = w_.groups[static_cast<std::size_t>(t.claimant)];
      for (auto r = rg.first; r < rg.first + rg.count; ++r) {
        if (same_actor(t.claimant, t.subject)) {
          if (!og) add(ms[r], nullptr, claim_code);
          for (auto b = og ? og->first : 0u; og && b < og->first + og->count; ++b) add(ms[r], &ms[b], claim_code);
        } else {
          for (auto a = sg->first; a < sg->first + sg->count; ++a) add(ms[r], &ms[a], accuse_code);
        }
      }
    }
  }
}

std::string SentenceCoder::collapse(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::int64_t SentenceCoder::offset(std::uint32_t byte) {
  if (byte < cp_byte_) {
    cp_byte_ = 0;
    cp_count_ = 0;
  }
  for (; cp_byte_ < byte; ++cp_byte_)
    if ((static_cast<unsigned char>(text_[cp_byte_]) & 0xC0) != 0x80) ++cp_count_;
  return cp_count_;
}

}  // namespace detail

Coder::Coder(std::shared_ptr<const Dictionaries> dictionaries) : dictionaries_(std::move(dictionaries)) {}

std::vector<Event> Coder::code(std::string_view text, core::Date published) const {
  std::vector<Event> events;
  thread_local detail::Work work;
  work.salience = detail::Salience{};
  const auto& d = dictionaries_->impl();
  segment(text, d, work.tokens, work.sentences);
  detail::SentenceCoder coder(d, text, published, work);
  for (std::size_t i = 0; i < work.sentences.size(); ++i)
    coder.code(work.sentences[i], static_cast<std::int32_t>(i), events);
  return events;
}

}  // namespace geokg::extract
