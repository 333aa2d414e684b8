// Stages 1-4 of the sentence coder: actors, coreference, compounds, clauses (see sentence_coder.hpp).
#include "extract/sentence_coder.hpp"

#include <algorithm>

namespace geokg::extract::detail {

SentenceCoder::Hits SentenceCoder::classify(const std::vector<PhraseHit>& hits, std::uint32_t b, std::uint32_t e,
                                            bool capital_ok) const {
  Hits out;
  out.begin = b;
  out.end = e;
  out.hits_end = hits.data() + hits.size();
  const bool any_user = std::any_of(hits.begin(), hits.end(), [&](const PhraseHit& h) { return h.user && valid(h); });
  for (const auto& h : hits) {
    if (!valid(h) || (any_user && !h.user)) continue;
    switch (h.kind) {
      case PhraseKind::actor:
        if (capital_ok && !out.actor) out.actor = &h;
        break;
      case PhraseKind::demonym:
        if (capital_ok && !out.demonym) out.demonym = &h;
        break;
      case PhraseKind::place:
        if (capital_ok && !out.place) out.place = &h;
        break;
      case PhraseKind::title:
        if (!out.title) out.title = &h;
        break;
      case PhraseKind::agent:
        if (!out.agent) out.agent = &h;
        break;
    }
  }
  return out;
}

std::optional<Ref> SentenceCoder::country_ref(const Hits& h) const {
  if (h.actor && !is_person(h.actor)) return Ref{h.actor->index, h.actor->agent};
  if (h.demonym) return Ref{h.demonym->index, 0};
  if (h.place) return Ref{h.place->index, h.place->agent};
  return std::nullopt;
}

std::optional<std::uint32_t> SentenceCoder::holder(const ActorEntry& org, const Title& title) const {
  for (const auto& role : title.roles) {
    const auto it = d_.holders.find(org.id + "/" + role);
    if (it == d_.holders.end()) continue;
    for (const auto idx : it->second)
      for (const auto& r : d_.actors[idx].roles)
        if (r.org == org.id && r.role == role && r.when.contains(published_)) return idx;
  }
  return std::nullopt;
}

Ref SentenceCoder::with_agent(Ref r, std::uint16_t agent) const {
  const auto& a = d_.actors[r.actor];
  if (a.type != ActorType::country) return r;  // a group's or IGO's own people are the group
  if (agent != 0 && d_.agents[agent].is_state) agent = 0;
  r.agent = agent;
  return r;
}

bool SentenceCoder::names(std::uint32_t person, std::uint32_t tok) const {
  if (tok >= n_ || !toks_[tok].is(tf_word) || toks_[tok].word == 0 || has(tok, wc_function)) return false;
  const auto it = d_.person_words.find(toks_[tok].word);
  return it != d_.person_words.end() && std::find(it->second.begin(), it->second.end(), person) != it->second.end();
}

std::uint32_t SentenceCoder::name_end(std::uint32_t person, std::uint32_t from) const {
  while (from < n_ && names(person, from)) ++from;
  return from;
}

std::optional<std::uint32_t> SentenceCoder::titled_person(const PhraseHit& title, std::uint32_t tok) const {
  if (tok >= n_ || !toks_[tok].is(tf_word) || toks_[tok].word == 0 || has(tok, wc_function)) return std::nullopt;
  const auto it = d_.person_words.find(toks_[tok].word);
  if (it == d_.person_words.end()) return std::nullopt;
  const auto& t = d_.titles[title.index];
  for (const auto idx : it->second)
    for (const auto& r : d_.actors[idx].roles)
      if (r.when.contains(published_) && std::find(t.roles.begin(), t.roles.end(), r.role) != t.roles.end()) return idx;
  return std::nullopt;
}

Ref SentenceCoder::title_ref(Ref org, const PhraseHit& title) const {
  const auto& t = d_.titles[title.index];
  if (auto p = holder(d_.actors[org.actor], t)) return Ref{*p, 0};
  return with_agent(org, t.agent);
}

void SentenceCoder::push_mention(std::uint32_t b, std::uint32_t e, Ref r, MentionKind k) {
  Mention m{b, e, r, k, false};
  if (e < n_ && toks_[e].is(tf_possessive)) m.possessive = true;
  w_.mentions.push_back(m);
}

void SentenceCoder::find_mentions() {
  w_.mentions.clear();
  person_hits_.clear();
  std::vector<Hits> raw;
  for (std::uint32_t i = 0; i < n_; ++i) {
    std::uint32_t node = PhraseTrie::root, best_end = 0;
    const std::vector<PhraseHit>* best = nullptr;
    for (std::uint32_t j = i; j < n_; ++j) {
      const auto w = toks_[j].word;
      if (w == 0) break;
      node = d_.phrases.child(node, w);
      if (node == PhraseTrie::none) break;
      if (const auto* h = d_.hits(node)) {
        best = h;
        best_end = j + 1;
      }
    }
    bool capital = caseless_;
    const bool prefixed =
        toks_[i].is(tf_hyphen_before) && i > 0 && (toks_[i - 1].word == pro_ || toks_[i - 1].word == anti_);
    if (best) {
      for (std::uint32_t k = i; k < best_end && !capital; ++k) capital = toks_[k].is(tf_cap);
      Hits h = classify(*best, i, best_end, capital && !prefixed);
      if (h.actor || h.demonym || h.place || h.title || h.agent) {
        raw.push_back(h);
        i = best_end - 1;
        continue;
      }
    }
    // "Kim" after "Kim Jong Un": a shared family name is the person of that name mentioned last.
    if (toks_[i].is(tf_cap) && !d_.shared_family_names.empty()) {
      if (const auto it = d_.shared_family_names.find(toks_[i].word); it != d_.shared_family_names.end()) {
        for (const auto p : w_.salience.persons)
          if (std::find(it->second.begin(), it->second.end(), p) != it->second.end()) {
            Hits h;
            h.begin = i;
            h.end = i + 1;
            person_hit_ = PhraseHit{PhraseKind::actor, false, 0, p, {}};
            h.actor = &person_hits_.emplace_back(person_hit_);
            h.hits_end = h.actor + 1;
            raw.push_back(h);
            break;
          }
        if (!raw.empty() && raw.back().begin == i) continue;
      }
    }
    if (!d_.stems.empty() && toks_[i].is(tf_word) && (toks_[i].is(tf_cap) || caseless_) && !prefixed) {
      const auto* hit = stem(i);
      if (hit) {
        Hits h;
        h.begin = i;
        h.end = i + 1;
        if (hit->kind == PhraseKind::agent)
          h.agent = hit;
        else
          h.actor = hit;
        h.hits_end = hit + 1;
        raw.push_back(h);
      }
    }
  }
  // Combine: [country] [title] [person], [country] [agent], [title|agent] of [country] ...
  const auto adjacent = [&](std::uint32_t end, std::uint32_t begin) {
    return begin == end || (begin == end + 1 && toks_[end].is(tf_possessive));
  };
  // "of" (or "from", for agents: "dissidents from Myanmar") plus determiners between a title/agent and its country.
  const auto of_next = [&](std::size_t k) -> std::size_t {
    if (k + 1 >= raw.size()) return 0;
    // "from" links people to their country ("dissidents from Myanmar"), not forces ("troops from Niger").
    const bool people = !raw[k].title && raw[k].agent && d_.agents[raw[k].agent->agent].type == ActorType::group;
    const bool link = is_word(raw[k].end, of_) || (people && is_word(raw[k].end, from_));
    if (!link) return 0;
    std::uint32_t p = raw[k].end + 1;
    while (p < n_ && has(p, wc_det)) ++p;
    // One adjective may stand between: "the mayor of the northern West Bank", "dissidents from military-ruled
    // Myanmar" (a hyphenated one may hold an agent word).
    if (p + 2 < n_ && toks_[p].is(tf_word) && toks_[p + 1].is(tf_hyphen_before) && toks_[p + 1].is(tf_word) &&
        !toks_[p].is(tf_cap) && !toks_[p + 2].is(tf_hyphen_before)) {
      std::size_t o = k + 1;
      while (o < raw.size() && raw[o].begin < p + 2) ++o;
      return o < raw.size() && raw[o].begin == p + 2 ? o : 0;
    }
    if (p < n_ && raw[k + 1].begin == p + 1 && toks_[p].is(tf_word) && !toks_[p].is(tf_cap) && !has(p, wc_function))
      ++p;
    return raw[k + 1].begin == p ? k + 1 : 0;
  };
  for (std::size_t k = 0; k < raw.size(); ++k) {
    const Hits& h = raw[k];
    const Hits* next = k + 1 < raw.size() && adjacent(h.end, raw[k + 1].begin) ? &raw[k + 1] : nullptr;
    const Hits* next2 = next && k + 2 < raw.size() && adjacent(next->end, raw[k + 2].begin) ? &raw[k + 2] : nullptr;
    if (auto ref = country_ref(h)) {
      const MentionKind kind = h.actor && !is_person(h.actor) ? MentionKind::name
                               : h.demonym                    ? MentionKind::demonym
                                                              : MentionKind::place;
      if (next && next->title && !is_person(next->actor)) {
        if (next2 && is_person(next2->actor)) {
          push_mention(h.begin, next2->end, Ref{next2->actor->index, 0}, MentionKind::name);
          k += 2;
        } else {
          const Ref r = title_ref(*ref, *next->title);
          const bool person = d_.actors[r.actor].type == ActorType::person;
          push_mention(h.begin, person ? name_end(r.actor, next->end) : next->end, r, MentionKind::role);
          k += 1;
        }
        continue;
      }
      if (next && next->agent && !next->actor && !next->demonym) {
        push_mention(h.begin, next->end, with_agent(*ref, next->agent->agent), MentionKind::agent);
        k += 1;
        continue;
      }
      if (next && is_person(next->actor)) {
        push_mention(h.begin, next->end, Ref{next->actor->index, 0}, MentionKind::name);
        k += 1;
        continue;
      }
      push_mention(h.begin, h.end, *ref, kind);
      // A phrase coded with several actors stands for all of them.
      if (h.actor && h.actor->user && h.hits_end)
        for (const auto* x = h.actor + 1; x != h.hits_end; ++x)
          if (x->kind == PhraseKind::actor && x->user && valid(*x) && x->index != h.actor->index)
            push_mention(h.begin, h.end, Ref{x->index, x->agent}, kind);
      continue;
    }
    if (is_person(h.actor)) {
      // "the Biden administration", "Putin's troops": the agent of the person's country.
      if (next && next->agent && !next->actor && !next->demonym && !next->title && (next->agent->flags & af_alone))
        if (const auto c = home_country(Ref{h.actor->index, 0})) {
          push_mention(h.begin, next->end, agent_of(*c, next->agent->agent), MentionKind::agent);
          k += 1;
          continue;
        }
      push_mention(h.begin, h.end, Ref{h.actor->index, 0}, MentionKind::name);
      continue;
    }
    if (h.title) {
      if (next && is_person(next->actor)) {
        push_mention(h.begin, next->end, Ref{next->actor->index, 0}, MentionKind::name);
        k += 1;
      } else if (const auto p = titled_person(*h.title, h.end)) {
        push_mention(h.begin, name_end(*p, h.end), Ref{*p, 0}, MentionKind::name);
      } else if (const auto o = of_next(k); o != 0) {
        if (auto ref = country_ref(raw[o])) {
          push_mention(h.begin, raw[o].end, title_ref(*ref, *h.title), MentionKind::role);
          k = o;
        }
      }
      continue;
    }
    if (h.agent) {
      if (const auto o = of_next(k); o != 0) {
        if (auto ref = country_ref(raw[o])) {
          push_mention(h.begin, raw[o].end, with_agent(*ref, h.agent->agent), MentionKind::agent);
          k = o;
          continue;
        }
      }
      if (h.agent->flags & af_alone) bare_agent(raw, k);
    }
  }
}

std::optional<std::uint32_t> SentenceCoder::home_country(Ref r) const {
  if (r.actor == d_.nowhere) return std::nullopt;
  const auto& a = d_.actors[r.actor];
  if (a.type == ActorType::country) return r.actor;
  std::string id = a.country;
  if (a.type == ActorType::person)
    for (const auto& role : a.roles)
      if (role.when.contains(published_))
        if (const auto o = d_.actor_by_id.find(role.org);
            o != d_.actor_by_id.end() && d_.actors[o->second].type == ActorType::country) {
          id = role.org;
          break;
        }
  const auto it = d_.actor_by_id.find(id);
  if (it == d_.actor_by_id.end() || d_.actors[it->second].type != ActorType::country) return std::nullopt;
  return it->second;
}

Ref SentenceCoder::agent_of(std::uint32_t country, std::uint16_t agent) const {
  if (country == d_.nowhere) return Ref{country, agent};
  return with_agent(Ref{country, 0}, agent);
}

void SentenceCoder::bare_agent(const std::vector<Hits>& raw, std::size_t& k) {
  const Hits& h = raw[k];
  // "government-held", "anti-government": a modifier, not an actor; "its soldiers": the owner's.
  if ((h.end < n_ && toks_[h.end].is(tf_hyphen_before)) || toks_[h.begin].is(tf_hyphen_before)) return;
  if (skip_det_back(h.begin) > 0 && has(skip_det_back(h.begin) - 1, wc_possessive_pron)) return;
  if (h.begin > 0 && has(h.begin - 1, wc_possessive_pron)) return;
  const std::uint16_t agent = h.agent->agent;
  // "police in Kenya", "the government in Kyiv": a place after "in" is the agent's own country.
  if ((h.agent->flags & af_local) && k + 1 < raw.size() && h.end < n_ && has(h.end, wc_locative) &&
      !has(h.end, wc_by)) {
    std::uint32_t p = h.end + 1;
    while (p < n_ && has(p, wc_det)) ++p;
    if (raw[k + 1].begin == p)
      if (const auto ref = country_ref(raw[k + 1]))
        if (const auto c = home_country(*ref)) {
          push_mention(h.begin, raw[k + 1].end, agent_of(*c, agent), MentionKind::agent);
          ++k;
          return;
        }
  }
  // "President Yoon and other top officials": "other" names more of the same side.
  std::uint32_t b = h.begin;
  while (b > 0 && (has(b - 1, wc_adverb) || (toks_[b - 1].is(tf_word) && cls(b - 1) == 0)) && b + 2 > h.begin) --b;
  if (b >= 2 && is_word(b - 1, other_) && has(b - 2, wc_coord) && !w_.mentions.empty() &&
      w_.mentions.back().end == b - 2)
    if (const auto c = home_country(w_.mentions.back().ref)) {
      push_mention(h.begin, h.end, agent_of(*c, agent), MentionKind::agent);
      return;
    }
  // The only country the document has named before this sentence; else a country nobody knows. (Countries of
  // this sentence are not used: "Ukraine asked Congress for aid" is not about Ukraine's congress.)
  std::optional<std::uint32_t> only;
  const bool several = w_.salience.countries.size() > 1;
  if (w_.salience.countries.size() == 1) only = w_.salience.countries.front().actor;
  push_mention(h.begin, h.end, agent_of(only && !several ? *only : d_.nowhere, agent), MentionKind::agent);
}

const PhraseHit* SentenceCoder::stem(std::uint32_t i) const {
  const auto key = d_.vocab.spelling(toks_[i].word);
  std::string lower;
  if (toks_[i].word == 0) {
    for (auto c : text_.substr(toks_[i].begin, toks_[i].end - toks_[i].begin))
      if (c != '.' && c != '\'') lower.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  const std::string_view k = toks_[i].word == 0 ? std::string_view(lower) : key;
  for (std::size_t len = k.size(); len >= 4; --len) {
    const auto prefix = k.substr(0, len);
    const auto it = std::lower_bound(d_.stems.begin(), d_.stems.end(), prefix,
                                     [](const auto& e, std::string_view p) { return e.first < p; });
    for (auto j = it; j != d_.stems.end() && j->first == prefix; ++j)
      if (valid(j->second)) return &j->second;
  }
  return nullptr;
}

std::optional<Ref> SentenceCoder::speaker(const std::vector<bool>& quoted, const std::vector<int>& covered,
                                          const Salience& s) const {
  for (std::uint32_t i = 0; i < n_; ++i) {
    if (quoted[i] || !has(i, wc_report)) continue;
    for (std::uint32_t k = i + 1; k < n_ && k <= i + 3 && !quoted[k]; ++k)
      if (covered[k] != none) return w_.mentions[static_cast<std::size_t>(covered[k])].ref;
    for (std::uint32_t k = i; k > 0 && k + 4 > i && !quoted[k - 1]; --k)
      if (covered[k - 1] != none) return w_.mentions[static_cast<std::size_t>(covered[k - 1])].ref;
  }
  return s.person;
}

void SentenceCoder::add_pronouns() {
  auto& ms = w_.mentions;
  std::vector<Mention> extra;
  std::vector<int> covered(n_, none);
  for (std::size_t m = 0; m < ms.size(); ++m)
    for (auto t = ms[m].begin; t < ms[m].end; ++t) covered[t] = static_cast<int>(m);
  std::vector<bool> quoted(n_, false);
  bool in_quote = false, any_quote = false;
  for (std::uint32_t i = 0; i < n_; ++i) {
    if (toks_[i].punct == '"') {
      in_quote = !in_quote;
      any_quote = true;
      continue;
    }
    quoted[i] = in_quote;
  }
  std::optional<Ref> who;
  if (any_quote) {
    who = speaker(quoted, covered, w_.salience);
    // "We" is the speaker's country (or group), not the speaker.
    if (who && d_.actors[who->actor].type == ActorType::person) {
      const auto& p = d_.actors[who->actor];
      const auto it = d_.actor_by_id.find(p.country);
      who = it != d_.actor_by_id.end() ? std::optional<Ref>(Ref{it->second, 0}) : std::nullopt;
      for (const auto& r : p.roles)
        if (r.when.contains(published_))
          if (const auto o = d_.actor_by_id.find(r.org); o != d_.actor_by_id.end()) who = Ref{o->second, 0};
    }
  }
  Salience s = w_.salience;  // advanced through this sentence's mentions in order
  std::size_t next_mention = 0;
  std::optional<Ref> first_person, first_thing;
  for (std::uint32_t i = 0; i < n_; ++i) {
    while (next_mention < ms.size() && ms[next_mention].begin <= i) {
      const auto& m = ms[next_mention];
      if (!first_person && d_.actors[m.ref.actor].type == ActorType::person) first_person = m.ref;
      if (!first_thing && d_.actors[m.ref.actor].type != ActorType::person && !m.possessive) {
        const auto b = skip_det_back(m.begin);
        if (b == 0 || !has(b - 1, wc_prep)) first_thing = m.ref;
      }
      if (next_mention > 0 && ms[next_mention - 1].end + 1 == m.begin && has(m.begin - 1, wc_coord))
        s.plural = {ms[next_mention - 1].ref, m.ref};
      note(s, ms[next_mention++].ref);
    }
    if (covered[i] != none) continue;
    const auto c = cls(i);
    if (c == 0) continue;
    const auto add = [&](std::uint32_t e, Ref r, bool possessive) {
      Mention m{i, e, r, MentionKind::pronoun, possessive};
      if (!possessive && e < n_ && toks_[e].is(tf_possessive)) m.possessive = true;
      extra.push_back(m);
    };
    if ((c & wc_pron_first) && quoted[i] && who) {
      // "we", "us", "our" in a quote: the speaker's side; "I", "me", "my" are not coded.
      const auto w = toks_[i].word;
      if (w != i_ && w != me_ && w != my_) add(i + 1, *who, (c & wc_possessive_pron) != 0);
    } else if ((c & wc_pron_person) && (s.person || first_person)) {
      // "he", "she", "his": the person this sentence began with, else the last sentence's subject;
      // "him", "her": the person named last.
      const auto w = toks_[i].word;
      const bool subjective = w == he_ || w == she_ || w == his_;
      const Ref r = !subjective && s.person      ? *s.person
                    : first_person               ? *first_person
                    : w_.salience.subject_person ? *w_.salience.subject_person
                                                 : *s.person;
      add(i + 1, r, (c & wc_possessive_pron) != 0);
    } else if ((c & wc_pron_thing) && s.thing) {
      // "it is clear that" is expletive; "it was supplying" is not.
      if (!(c & wc_possessive_pron) && has(i + 1, wc_be) &&
          !has(i + 2, wc_verbish | wc_adverb | wc_aux | wc_be | wc_neg))
        continue;
      // "X urged Y to ... and then it asked": a subject "it" is the sentence's subject, if it has one.
      const bool subject =
          !(c & wc_possessive_pron) && i + 1 < n_ && has(i + 1, wc_verbish | wc_aux | wc_be | wc_modal);
      add(i + 1, subject && first_thing ? *first_thing : *s.thing, (c & wc_possessive_pron) != 0);
    } else if ((c & wc_pron_plural) && !s.plural.empty()) {
      for (const auto& r : s.plural) add(i + 1, r, (c & wc_possessive_pron) != 0);
    } else if ((c & wc_pron_plural) && s.thing) {
      // "The Houthis said they ...": one actor that is a group of people (or an organisation) is "they".
      add(i + 1, *s.thing, (c & wc_possessive_pron) != 0);
    } else if ((c & (wc_number_word | wc_det)) && i + 2 < n_ && has(i + 1, wc_number_word) &&
               has(i + 2, wc_generic_country)) {
      // "the two sides" looks back past this sentence's own subjects ("Egypt and Qatar mediated between the two
      // sides").
      for (const auto& r : last_two(w_.salience.plural.empty() ? s : w_.salience)) add(i + 3, r, false);
      i += 2;
    } else if ((c & wc_number_word) && i + 1 < n_ && has(i + 1, wc_generic_country)) {
      for (const auto& r : last_two(w_.salience.plural.empty() ? s : w_.salience)) add(i + 2, r, false);
      ++i;
    } else if ((c & wc_det) && i + 1 < n_ && has(i + 1, wc_generic_country) && !s.countries.empty() &&
               d_.vocab.spelling(toks_[i + 1].word).back() != 's') {
      // "the country" is the last country; "the two countries" the last two.
      add(i + 2, s.countries.front(), false);
      ++i;
    }
  }
  if (extra.empty()) return;
  ms.insert(ms.end(), extra.begin(), extra.end());
  std::stable_sort(ms.begin(), ms.end(), [](const Mention& a, const Mention& b) { return a.begin < b.begin; });
}

std::vector<Ref> SentenceCoder::last_two(const Salience& s) const {
  if (s.plural.size() == 2) {
    // "both countries" after "Indian and Pakistani troops" are India and Pakistan.
    std::vector<Ref> out;
    for (const auto& r : s.plural)
      out.push_back(Ref{r.actor, d_.actors[r.actor].type == ActorType::country ? std::uint16_t{0} : r.agent});
    return out;
  }
  if (s.countries.size() >= 2) return {s.countries[0], s.countries[1]};
  return {};
}

std::optional<Ref> SentenceCoder::country_of(Ref r) const {
  const auto& a = d_.actors[r.actor];
  if (a.type == ActorType::country) return Ref{r.actor, 0};
  return std::nullopt;
}

void SentenceCoder::note(Salience& s, Ref r) const {
  const auto& a = d_.actors[r.actor];
  if (a.type == ActorType::person) {
    s.person = r;
    auto& v = s.persons;
    v.erase(std::remove(v.begin(), v.end(), r.actor), v.end());
    v.insert(v.begin(), r.actor);
    if (v.size() > 8) v.pop_back();
    return;
  }
  s.thing = r;
  if (auto c = country_of(r)) {
    auto& v = s.countries;
    v.erase(std::remove(v.begin(), v.end(), *c), v.end());
    v.insert(v.begin(), *c);
    if (v.size() > 4) v.pop_back();
  }
}

void SentenceCoder::update_salience() {
  for (const auto& m : w_.mentions)
    if (m.kind != MentionKind::pronoun) note(w_.salience, m.ref);
  for (const auto& m : w_.mentions)
    if (d_.actors[m.ref.actor].type == ActorType::person) {
      w_.salience.subject_person = m.ref;
      break;
    }
  for (const auto& g : w_.groups)
    if (g.count >= 2 && !g.coref) {
      w_.salience.plural.clear();
      for (auto k = g.first; k < g.first + g.count; ++k) w_.salience.plural.push_back(w_.mentions[k].ref);
    }
}

void SentenceCoder::build_groups() {
  auto& gs = w_.groups;
  gs.clear();
  w_.group_at.assign(n_ + 1, none);
  w_.group_ending.assign(n_ + 1, none);
  w_.in_mention.assign(n_ + 1, none);
  const auto& ms = w_.mentions;
  for (std::uint32_t m = 0; m < ms.size(); ++m)
    for (auto t = ms[m].begin; t < ms[m].end; ++t) w_.in_mention[t] = static_cast<int>(m);
  for (std::uint32_t m = 0; m < ms.size(); ++m) {
    bool join = false, coordinated = false;
    if (!gs.empty()) {
      const Group& g = gs.back();
      const Mention& prev = ms[m - 1];
      if (ms[m].begin == prev.begin) {
        join = true;  // a plural pronoun standing for several actors
        coordinated = true;
      } else if (!prev.possessive && !g.locative) {
        std::uint32_t t = prev.end;
        bool conj = false;
        if (t < n_ && toks_[t].word == comma_) ++t;
        if (t < n_ && has(t, wc_coord)) {
          ++t;
          conj = true;
        } else if (is_word(t, as_) && is_word(t + 1, well_) && is_word(t + 2, as_)) {
          t += 3;
          conj = true;
        }
        coordinated = conj;
        conj = conj || (t == prev.end + 1 && toks_[prev.end].word == comma_);
        while (t < n_ && has(t, wc_det)) ++t;
        join = conj && t == ms[m].begin;
        // "Russia attacked Ukraine and Belarus condemned Poland": an object, then a new clause.
        if (join && followed_by_verb(ms[m]) && preceded_by_verb(g.begin)) join = false;
      }
    }
    if (join) {
      Group& g = gs.back();
      g.end = std::max(g.end, ms[m].end);
      g.count = m - g.first + 1;
      g.possessive = ms[m].possessive;
      g.coordinated = g.coordinated || coordinated;
      continue;
    }
    Group g;
    g.begin = ms[m].begin;
    g.end = ms[m].end;
    g.first = m;
    g.count = 1;
    g.possessive = ms[m].possessive;
    g.coref = ms[m].kind == MentionKind::pronoun;
    std::uint32_t p = g.begin;
    while (p > 0 && has(p - 1, wc_det) && !has(p - 1, wc_prep)) --p;
    if (p > 0) {
      const auto c = cls(p - 1);
      g.governed = (c & wc_prep) != 0;
      g.locative = (c & wc_locative) != 0;
      // "hundreds of UN troops", "members of Hamas": the quantity is not the actor.
      if (g.governed && is_word(p - 1, of_) && p >= 2 && (has(p - 2, wc_number_word) || toks_[p - 2].is(tf_number)))
        g.governed = false;
      // "after Islamabad accused ...": a conjunction that is also a preposition, before a clause.
      if (g.governed && (c & wc_sub) && followed_by_verb(ms[m])) g.governed = g.locative = false;
    }
    gs.push_back(g);
  }
  // "China, North Korea's principal ally," is an apposition, not a list: lists end with "and" or "or".
  for (std::size_t gi = 0; gi < gs.size(); ++gi) {
    if (gs[gi].count < 2 || gs[gi].coordinated) continue;
    // A headline's "India, Pakistan trade fire": two names at the start, then the verb.
    if (gs[gi].count == 2 && gs[gi].first == 0 && skip_det_back(gs[gi].begin) == 0 &&
        followed_by_verb(ms[gs[gi].first + 1]))
      continue;
    std::vector<Group> singles;
    for (auto m = gs[gi].first; m < gs[gi].first + gs[gi].count; ++m) {
      Group g;
      g.begin = ms[m].begin;
      g.end = ms[m].end;
      g.first = m;
      g.count = 1;
      g.possessive = ms[m].possessive;
      g.coref = ms[m].kind == MentionKind::pronoun;
      if (m == gs[gi].first) {
        g.governed = gs[gi].governed;
        g.locative = gs[gi].locative;
      }
      singles.push_back(g);
    }
    gs.erase(gs.begin() + static_cast<std::ptrdiff_t>(gi));
    gs.insert(gs.begin() + static_cast<std::ptrdiff_t>(gi), singles.begin(), singles.end());
    gi += singles.size() - 1;
  }
  for (std::size_t gi = 0; gi < gs.size(); ++gi) {
    auto& g = gs[gi];
    if (std::any_of(ms.begin() + g.first, ms.begin() + g.first + g.count,
                    [](const Mention& m) { return m.kind != MentionKind::pronoun; }))
      g.coref = false;
    w_.group_at[g.begin] = static_cast<int>(gi);
    w_.group_ending[g.end - 1] = static_cast<int>(gi);
    if (g.end < n_ && toks_[g.end].is(tf_possessive)) w_.group_ending[g.end] = static_cast<int>(gi);
  }
}

std::uint32_t SentenceCoder::skip_det_back(std::uint32_t b) const {
  while (b > 0 && has(b - 1, wc_det)) --b;
  return b;
}

bool SentenceCoder::followed_by_verb(const Mention& m) const {
  std::uint32_t k = m.end < n_ && toks_[m.end].is(tf_possessive) ? m.end + 1 : m.end;
  while (k < n_ && has(k, wc_adverb)) ++k;
  return k < n_ && has(k, wc_verbish | wc_aux | wc_be | wc_modal | wc_report) && w_.in_mention[k] == none;
}

bool SentenceCoder::preceded_by_verb(std::uint32_t b) const {
  while (b > 0 && has(b - 1, wc_det | wc_adverb)) --b;
  return b > 0 && has(b - 1, wc_verbish) && !has(b - 1, wc_prep);
}

void SentenceCoder::mark_boundaries() {
  auto& b = w_.boundary;
  b.assign(n_ + 1, false);
  // Scare quotes around a few words ("politicisation") do not start a quotation.
  std::vector<bool> scare(n_ + 1, false);
  for (std::uint32_t i = 0, open = UINT32_MAX; i < n_; ++i) {
    if (toks_[i].punct != '"') continue;
    if (open == UINT32_MAX) {
      open = i;
    } else {
      if (i - open <= 4) scare[open] = scare[i] = true;
      open = UINT32_MAX;
    }
  }
  for (std::uint32_t i = 0; i < n_; ++i) {
    const auto& t = toks_[i];
    if (t.punct == ';' || t.punct == ':' || (t.punct == '"' && !scare[i]) || t.punct == '(' || t.punct == ')' ||
        t.punct == '-') {
      b[i] = true;
      continue;
    }
    if (has(i, wc_sub | wc_rel | wc_comp | wc_report | wc_accord) && w_.in_mention[i] == none) b[i] = true;
    // "..., and Russia attacked": a coordinator or comma before a new subject and its verb.
    std::uint32_t next = i + 1;
    while (next < n_ && has(next, wc_adverb) && w_.group_at[next] == none) ++next;  // "and then she asked"
    if ((t.word == comma_ || has(i, wc_coord)) && next < n_ && w_.group_at[next] != none) {
      const Group& g = w_.groups[static_cast<std::size_t>(w_.group_at[next])];
      std::uint32_t k = g.end < n_ && toks_[g.end].is(tf_possessive) ? g.end + 1 : g.end;
      while (k < n_ && has(k, wc_adverb)) ++k;
      if (k < n_ && has(k, wc_verbish | wc_aux | wc_be | wc_modal | wc_report) && !toks_[k].is(tf_possessive))
        b[i] = true;
    }
  }
}

std::uint32_t SentenceCoder::clause_start(std::uint32_t t) const {
  while (t > 0) {
    if (w_.boundary[t - 1]) return t;
    --t;
  }
  return 0;
}

}  // namespace geokg::extract::detail
