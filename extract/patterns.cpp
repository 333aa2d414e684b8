// Stages 5-7 of the sentence coder: triggers, patterns, subjects, modality (see sentence_coder.hpp).
#include "extract/sentence_coder.hpp"

#include <algorithm>

namespace geokg::extract::detail {

void SentenceCoder::find_triggers() {
  auto& ts = w_.triggers;
  ts.clear();
  for (std::uint32_t i = 0; i < n_; ++i) {
    if (w_.in_mention[i] != none) continue;
    std::uint32_t node = PhraseTrie::root, best_end = 0, best_node = PhraseTrie::none;
    for (std::uint32_t j = i; j < n_; ++j) {
      const auto w = toks_[j].word;
      if (w == 0) break;
      node = d_.triggers.child(node, w);
      if (node == PhraseTrie::none) break;
      if (node < d_.trigger_hits.size() && !d_.trigger_hits[node].empty()) {
        best_end = j + 1;
        best_node = node;
      }
    }
    if (best_node == PhraseTrie::none) continue;
    const auto& hits = d_.trigger_hits[best_node];
    // A noun after a determiner, a possessive or an adjective-like actor; a verb otherwise.
    // "a surprise visit": a determiner up to two modifiers back.
    std::uint32_t back = i;
    for (int mods = 0; mods < 3 && back > 0 && (toks_[back - 1].is(tf_word) || toks_[back - 1].is(tf_number)) &&
                       (cls(back - 1) == 0 || has(back - 1, wc_number_word)) && w_.in_mention[back - 1] == none;
         ++mods)
      --back;
    const bool det_before = back < i && back > 0 && (has(back - 1, wc_det) || toks_[back - 1].is(tf_possessive));
    const bool noun_context =
        i > 0 && (det_before || has(i - 1, wc_det) || toks_[i - 1].is(tf_possessive) ||
                  (has(i - 1, wc_light) && !has(i - 1, wc_aux | wc_be | wc_modal)) ||
                  (w_.in_mention[i - 1] != none &&
                   w_.mentions[static_cast<std::size_t>(w_.in_mention[i - 1])].kind == MentionKind::demonym) ||
                  has(i - 1, wc_number_word) || toks_[i - 1].is(tf_number));
    // "Israeli tank shelling in ...": after an agent and before a preposition, a noun.
    const bool agent_noun = i > 0 && best_end < n_ && w_.in_mention[i - 1] != none &&
                            w_.mentions[static_cast<std::size_t>(w_.in_mention[i - 1])].kind == MentionKind::agent &&
                            has(best_end, wc_prep) && !has(best_end, wc_to);
    // After a preposition (other than "to") a word is a noun or a gerund: "called for sanctions".
    const bool after_prep = i > 0 && has(i - 1, wc_prep) && !has(i - 1, wc_to);
    const TriggerHit* pick = nullptr;
    for (const auto& h : hits) {
      const bool noun = d_.blocks[h.block].noun;
      // "to" + an inflected form is a preposition and a noun: "agreed to talks".
      const bool to_noun = i > 0 && has(i - 1, wc_to) && (h.form == FormKind::third || h.form == FormKind::noun);
      const bool want_noun = noun_context || to_noun || agent_noun || (after_prep && h.form != FormKind::gerund);
      if (noun == want_noun) {
        pick = &h;
        break;
      }
    }
    if (!pick) {
      // Only one reading: a verb after a determiner is not a verb ("the attack" has no verb reading).
      pick = &hits.front();
      if (!d_.blocks[pick->block].noun && (noun_context || after_prep) && pick->form != FormKind::gerund &&
          pick->form != FormKind::past_participle) {
        i = best_end - 1;
        continue;
      }
    }
    Trigger t;
    t.begin = i;
    t.end = best_end;
    t.block = pick->block;
    t.form = pick->form;
    t.noun = d_.blocks[pick->block].noun;
    ts.push_back(t);
    i = best_end - 1;
  }
}

int SentenceCoder::group_of_token(std::uint32_t q) const {
  const int m = w_.in_mention[q];
  if (m == none) return none;
  for (std::size_t gi = 0; gi < w_.groups.size(); ++gi) {
    const auto& g = w_.groups[gi];
    if (static_cast<std::uint32_t>(m) >= g.first && static_cast<std::uint32_t>(m) < g.first + g.count)
      return static_cast<int>(gi);
  }
  return none;
}

std::uint32_t SentenceCoder::skip_det(std::uint32_t p) const {
  // "over 150", "at least 20", "more than 300": up to two words that quantify a number.
  for (std::uint32_t q = p; q < p + 2 && q + 1 < n_ && w_.group_at[q] == none && toks_[q].is(tf_word); ++q)
    if (toks_[q + 1].is(tf_number)) {
      p = q + 1;
      break;
    }
  int k = 0;
  while (p < n_ && k < 3 && w_.group_at[p] == none &&
         (has(p, wc_det | wc_adverb | wc_number_word) || toks_[p].is(tf_number))) {
    ++p;
    ++k;
    // "dozens of protesters", "two of its soldiers"
    if (p + 1 < n_ && is_word(p, of_) && (has(p - 1, wc_number_word) || toks_[p - 1].is(tf_number))) ++p;
  }
  return p;
}

bool SentenceCoder::match_from(const Pattern& p, std::size_t e, std::uint32_t pos, MatchState& st) const {
  if (e == p.elems.size()) {
    st.end = pos;
    return true;
  }
  const PatternElem& el = p.elems[e];
  switch (el.kind) {
    case PatternElem::word:
      if (pos < n_ && toks_[pos].word == el.id) return match_from(p, e + 1, pos + 1, st);
      // An adverb may stand before a pattern word: "spoke briefly with".
      return pos + 1 < n_ && has(pos, wc_adverb) && w_.group_at[pos] == none && toks_[pos + 1].word == el.id &&
             match_from(p, e + 1, pos + 2, st);
    case PatternElem::klass:
      for (std::uint32_t at = pos; at <= pos + 1 && at < n_; ++at) {
        // An adverb may stand before the class too: "spoke briefly with".
        if (at > pos && (!has(pos, wc_adverb) || w_.group_at[pos] != none)) break;
        for (const auto& alt : d_.classes[el.id]) {
          if (alt.empty() || at + alt.size() > n_) continue;
          bool ok = true;
          for (std::size_t k = 0; k < alt.size() && ok; ++k) ok = toks_[at + k].word == alt[k];
          if (ok && match_from(p, e + 1, at + static_cast<std::uint32_t>(alt.size()), st)) return true;
        }
      }
      return false;
    case PatternElem::gap:
      // Up to six words; the parts of a hyphenated word ("non-Muslims") are one.
      for (std::uint32_t k = 0, words = 0; words <= 6 && pos + k <= n_; ++k) {
        if (k > 0) {
          const auto q = pos + k - 1;
          const auto& t = toks_[q];
          if (t.punct == '.' || t.punct == ';' || t.punct == ':' || t.punct == '"' || w_.boundary[q]) break;
          if (!t.is(tf_hyphen_before) && ++words > 6) break;
          // A gap does not skip an actor, except a possessive one ("withdrew its troops from") or a
          // hyphenated modifier ("a US-drafted resolution").
          if (w_.in_mention[q] != none) {
            const int g = group_of_token(q);
            if (g == none) break;
            const Group& grp = w_.groups[static_cast<std::size_t>(g)];
            if (!grp.possessive && !(grp.end < n_ && toks_[grp.end].is(tf_hyphen_before))) break;
          }
        }
        if (match_from(p, e + 1, pos + k, st)) return true;
      }
      return false;
    case PatternElem::target:
    case PatternElem::source:
    case PatternElem::pair: {
      auto q = skip_det(pos);
      for (int mods = 0; mods < 2 && q < n_ && w_.group_at[q] == none && toks_[q].is(tf_word) &&
                         !has(q, wc_function | wc_verbish | wc_light | wc_region) && w_.in_mention[q] == none &&
                         !w_.boundary[q] && text_[toks_[q].end - 1] != 's';  // a plural noun is a head, not a modifier
           ++mods)
        ++q;
      // "in the east of the Gaza Strip", "the outskirts of Kyiv": the place is the one named after "of".
      // "along the border with Ukraine" likewise.
      if (q + 1 < n_ && w_.group_at[q] == none && has(q, wc_region) && (is_word(q + 1, of_) || is_word(q + 1, with_)))
        q = skip_det(q + 2);
      if (q >= n_ || w_.group_at[q] == none) return false;
      int g = w_.group_at[q];
      {
        const Group& first = w_.groups[static_cast<std::size_t>(g)];
        if (first.end < n_ && toks_[first.end].is(tf_hyphen_before)) {
          auto r = first.end;
          while (r < n_ &&
                 (toks_[r].is(tf_hyphen_before) || (toks_[r].is(tf_word) && cls(r) == 0 && w_.group_at[r] == none)) &&
                 r < first.end + 4)
            ++r;
          if (r < n_ && w_.group_at[r] != none)
            g = w_.group_at[r];
          else
            return false;
        }
      }
      // A possessive before another actor is its determiner: "met his Russian counterpart".
      {
        const Group& first = w_.groups[static_cast<std::size_t>(g)];
        const std::uint32_t after = first.end < n_ && toks_[first.end].is(tf_possessive) ? first.end + 1 : first.end;
        if (first.possessive && after < n_ && w_.group_at[after] != none) g = w_.group_at[after];
      }
      const Group& grp = w_.groups[static_cast<std::size_t>(g)];
      if (el.kind == PatternElem::pair && grp.count < 2) return false;
      // "backed Milei's rival" is not about Milei.
      if (grp.possessive) {
        const std::uint32_t after = grp.end < n_ && toks_[grp.end].is(tf_possessive) ? grp.end + 1 : grp.end;
        if (after < n_ && has(after, wc_relational)) return false;
      }
      int& slot = el.kind == PatternElem::source ? st.source : st.target;
      const int saved = slot;
      slot = g;
      const bool marker = grp.end < n_ && toks_[grp.end].is(tf_possessive);
      if (match_from(p, e + 1, marker ? grp.end + 1 : grp.end, st)) return true;
      // "+ ~diplomat" also matches an actor whose own last words are a ~diplomat ("Russian diplomats").
      if (!marker && e + 1 < p.elems.size() && p.elems[e + 1].kind == PatternElem::klass) {
        for (const auto& alt : d_.classes[p.elems[e + 1].id]) {
          if (alt.empty() || alt.size() > grp.end - grp.begin) continue;
          const auto b = grp.end - static_cast<std::uint32_t>(alt.size());
          bool ok = true;
          for (std::size_t k = 0; k < alt.size() && ok; ++k) ok = toks_[b + k].word == alt[k];
          if (ok && match_from(p, e + 2, grp.end, st)) return true;
        }
      }
      slot = saved;
      return false;
    }
  }
  return false;
}

bool SentenceCoder::passive_form(const Trigger& t) const {
  if (t.noun || t.form != FormKind::past_participle) return false;
  std::uint32_t k = t.begin;
  while (k > 0 && has(k - 1, wc_adverb | wc_neg)) --k;
  return k > 0 && has(k - 1, wc_be);
}

std::uint32_t SentenceCoder::passive_theme(const Pattern& p, std::uint32_t aux) const {
  std::size_t e = 0;
  if (e < p.elems.size() && p.elems[e].kind == PatternElem::gap) ++e;
  if (e >= p.elems.size() || p.elems[e].kind != PatternElem::klass || aux == 0) return UINT32_MAX;
  for (const auto& alt : d_.classes[p.elems[e].id]) {
    if (alt.empty() || alt.size() > aux) continue;
    const auto b = aux - static_cast<std::uint32_t>(alt.size());
    bool ok = true;
    for (std::size_t k = 0; k < alt.size() && ok; ++k) ok = toks_[b + k].word == alt[k];
    if (ok) return b;
  }
  return UINT32_MAX;
}

bool SentenceCoder::prepositional(const PatternElem& e) const {
  if (e.kind == PatternElem::word) return has_word_class(e.id, wc_prep);
  if (e.kind != PatternElem::klass || !d_.class_names[e.id].empty()) return false;
  // (the loader adds a plural to every alternative: "ats" beside "at")
  bool prep = false;
  for (const auto& alt : d_.classes[e.id]) {
    if (alt.size() != 1) return false;
    prep = prep || has_word_class(alt[0], wc_prep);
  }
  return prep;
}

bool SentenceCoder::hostile(const std::string& code) {
  const auto r = root_of(code);
  return r == "15" || r == "18" || r == "19" || r == "20";
}

int SentenceCoder::relative_object(const Trigger& t) const {
  if (t.noun || t.form == FormKind::gerund) return none;
  const auto cs = clause_start(t.begin);
  if (cs < 2 || cs >= t.begin) return none;
  const auto r = cs - 1;
  if (!is_word(r, which_) && !is_word(r, whom_) && !is_word(r, that_)) return none;
  // The clause's own subject, right after the pronoun: "which he", "that Russian forces".
  const auto subj = skip_det(cs);
  if (subj >= t.begin || w_.group_at[subj] == none) return none;
  if (w_.groups[static_cast<std::size_t>(w_.group_at[subj])].end > t.begin) return none;
  // Nothing after the verb that could be its object.
  if (const auto q = skip_det(t.end); q < n_ && w_.group_at[q] != none) return none;
  std::uint32_t k = r;
  if (toks_[k - 1].word == comma_) --k;
  if (k == 0) return none;
  const int antecedent = group_before(k - 1);
  return antecedent == w_.group_at[subj] ? none : antecedent;
}

void SentenceCoder::match(Trigger& t) {
  t.passive = passive_form(t);
  std::uint32_t aux = t.begin;  // the passive's auxiliaries start here; the subject ends before
  if (t.passive)
    while (aux > 0 && has(aux - 1, wc_adverb | wc_neg | wc_be | wc_aux | wc_modal)) --aux;
  const int antecedent = t.passive ? none : relative_object(t);
  for (const auto& p : d_.blocks[t.block].patterns) {
    MatchState st;
    // In the passive the target is the subject: "Ukraine was supplied with tanks" matches "+ with * ~weapon";
    // in an object relative clause it is the antecedent: "North Korea, which he accused of".
    const bool skip_target =
        (t.passive || antecedent != none) && !p.elems.empty() && p.elems.front().kind == PatternElem::target;
    if (t.passive && !skip_target && p.has_target) {
      // ... or the pattern's theme is: "North Korean munitions were shipped to Russia" matches "* ~weapon to +".
      const auto theme = passive_theme(p, aux);
      std::size_t e = p.elems.front().kind == PatternElem::gap ? 2 : 1;
      if (theme != UINT32_MAX && match_from(p, e, t.end, st) && st.target != none) {
        t.pattern = &p;
        t.target = st.target;
        t.source = st.source;
        t.match_end = st.end;
        t.code = p.code;
        t.theme = static_cast<int>(theme);
        return;
      }
      // "a mortar was fired at Israel from Gaza", "rockets were fired from Lebanon into Israel": "fire * at +"
      // with its object as the passive's subject; the place fire comes from is the source.
      if (p.elems.size() >= 3 && p.elems[0].kind == PatternElem::gap && p.elems[2].kind == PatternElem::target &&
          prepositional(p.elems[1]) && hostile(p.code)) {
        MatchState st2;
        std::uint32_t pos = t.end;
        int origin = none;
        if (is_word(pos, from_)) {
          const auto q = skip_det(pos + 1);
          if (q < n_ && w_.group_at[q] != none) {
            origin = w_.group_at[q];
            pos = w_.groups[static_cast<std::size_t>(origin)].end;
          }
        }
        if (match_from(p, 1, pos, st2) && st2.target != none) {
          if (origin == none) {
            const auto q = st2.end < n_ && is_word(st2.end, from_) ? skip_det(st2.end + 1) : n_;
            if (q < n_) origin = w_.group_at[q];
          }
          if (origin != none && origin != st2.target) {
            t.pattern = &p;
            t.target = st2.target;
            t.source = origin;
            t.match_end = st2.end;
            t.code = p.code;
            return;
          }
        }
      }
      continue;
    }
    if (match_from(p, skip_target ? 1 : 0, t.end, st)) {
      t.pattern = &p;
      t.target = skip_target && antecedent != none ? antecedent : st.target;
      t.source = st.source;
      t.match_end = st.end;
      t.code = p.code;
      return;
    }
  }
}

void SentenceCoder::share_objects() {
  auto& ts = w_.triggers;
  for (std::size_t i = 0; i + 1 < ts.size(); ++i) {
    Trigger& t = ts[i];
    if (t.pattern || t.noun || t.passive) continue;
    // "condemned and sanctioned Belarus": the first verb takes the second one's object.
    std::uint32_t q = t.end;
    if (q < n_ && toks_[q].word == comma_) ++q;
    if (q >= n_ || !has(q, wc_coord)) continue;
    const Trigger& u = ts[i + 1];
    if (u.begin != q + 1 || u.noun || !u.pattern || u.target == none || u.pattern->elems.empty() ||
        u.pattern->elems.front().kind != PatternElem::target)
      continue;
    for (const auto& p : d_.blocks[t.block].patterns) {
      if (p.elems.empty() || p.elems.front().kind != PatternElem::target) continue;
      MatchState st;
      if (match_from(p, 0, u.end, st) && st.target == u.target) {
        t.pattern = &p;
        t.target = st.target;
        t.match_end = t.end;  // what the second verb consumed is its own
        t.code = p.code;
        break;
      }
    }
  }
}

void SentenceCoder::drop_nested_triggers() {
  auto& ts = w_.triggers;
  for (const auto& outer : ts) {
    if (!outer.pattern) continue;
    for (auto& inner : ts)
      if (&inner != &outer && inner.begin >= outer.end && inner.begin < outer.match_end) inner.pattern = nullptr;
  }
}

bool SentenceCoder::eligible(int g, const Trigger& t) const {
  if (g == none) return false;
  const Group& grp = w_.groups[static_cast<std::size_t>(g)];
  return !grp.governed && !grp.locative && g != t.target;
}

int SentenceCoder::adjacent_subject(std::uint32_t p, const Trigger& t) const {
  std::uint32_t k = p;
  // "Russia on Monday attacked", "lawmakers Tuesday endorsed": dates sit between subject and verb.
  while (k > 0 && (has(k - 1, wc_aux | wc_be | wc_modal | wc_adverb | wc_neg) || w_.in_date[k - 1])) --k;
  if (k == 0) return none;
  const int g = group_before(k - 1);
  if (g == none || g == t.target) return none;
  // A gerund right after its actor takes it even inside a phrase: "evidence of North Korea supplying".
  if (k == p && t.form == FormKind::gerund && !w_.groups[static_cast<std::size_t>(g)].locative) return g;
  return eligible(g, t) ? g : none;
}

int SentenceCoder::leftmost_subject(std::uint32_t cs, std::uint32_t p, const Trigger& t) const {
  for (std::size_t gi = 0; gi < w_.groups.size(); ++gi) {
    const auto& g = w_.groups[gi];
    if (g.begin < cs) continue;
    if (g.end > p) break;
    if (eligible(static_cast<int>(gi), t)) return static_cast<int>(gi);
  }
  // A relative clause: "Russia, which invaded Ukraine", "companies that supply Russia".
  if (cs > 0 && (has(cs - 1, wc_rel) || (has(cs - 1, wc_comp) && cs >= 2 && group_before(cs - 2) != none))) {
    std::uint32_t k = cs - 1;
    if (k > 0 && toks_[k - 1].word == comma_) --k;
    if (k > 0) {
      const int g = group_before(k - 1);
      if (g != none && g != t.target) return g;
    }
  }
  return none;
}

int SentenceCoder::nearest_owner(std::uint32_t cs, std::uint32_t p, const Trigger& t) const {
  for (std::size_t gi = w_.groups.size(); gi-- > 0;) {
    const auto& g = w_.groups[gi];
    if (g.end > p) continue;
    if (g.begin < cs) break;
    if (static_cast<int>(gi) == t.target || g.locative) continue;
    if (!g.governed || g.possessive) return static_cast<int>(gi);
  }
  return none;
}

void SentenceCoder::resolve_subject(std::size_t ti) {
  Trigger& t = w_.triggers[ti];
  if (!t.pattern || t.pattern->pair) return;
  if (t.source != none) {
    t.subject = t.source;
    // "$ ... " patterns make the clause subject the target when the pattern names none.
    if (!t.pattern->has_target) t.target = clause_subject(ti);
    return;
  }
  // Passive: "was attacked by Russia"; without "by" the source is unknown, unless it qualifies the thing
  // handed over ("North Korean munitions were shipped to Russia", "Iran's drones were delivered to Russia").
  if (t.passive) {
    int agent = by_agent(std::max(t.match_end, t.end));
    if (agent == none && t.theme != none && w_.in_mention[static_cast<std::uint32_t>(t.theme)] != none) {
      // "Iranian drones were delivered to Russia": the theme is itself an agent of its country.
      const int g = group_of_token(static_cast<std::uint32_t>(t.theme));
      if (g != none && g != t.target &&
          w_.mentions[w_.groups[static_cast<std::size_t>(g)].first].kind == MentionKind::agent)
        agent = g;
    } else if (agent == none && t.theme != none) {
      std::uint32_t b = static_cast<std::uint32_t>(t.theme);
      for (int mods = 0;
           mods < 2 && b > 0 && w_.group_ending[b - 1] == none && toks_[b - 1].is(tf_word) && cls(b - 1) == 0; ++mods)
        --b;
      if (b > 0 && b - 1 >= clause_start(t.begin)) {
        const int g = w_.group_ending[b - 1];
        if (g != none && g != t.target) {
          const Group& grp = w_.groups[static_cast<std::size_t>(g)];
          const auto& last = w_.mentions[grp.first + grp.count - 1];
          if (grp.possessive || last.kind == MentionKind::demonym || last.kind == MentionKind::agent) agent = g;
        }
      }
    }
    // "missiles were launched at Saudi Arabia from Yemen": the place fire comes from.
    if (agent == none && hostile(t.code))
      for (const auto at : {t.end, std::max(t.match_end, t.end)})
        if (is_word(at, from_)) {
          const auto q = skip_det(at + 1);
          if (q < n_ && w_.group_at[q] != none && w_.group_at[q] != t.target) agent = w_.group_at[q];
        }
    if (agent == none) {
      t.pattern = nullptr;
      return;
    }
    t.subject = agent;
    if (t.target == none) {
      int patient = leftmost_subject(clause_start(t.begin), t.begin, t);
      if (patient == none) patient = adjacent_subject(t.begin, t);
      if (patient == agent) patient = none;
      t.target = patient;
    }
    return;
  }
  // A reduced passive: "Ukraine, attacked by Russia, ..." or "positions shelled by Russian artillery".
  if (!t.noun && t.form == FormKind::past_participle && t.target == none) {
    if (const int agent = by_agent(std::max(t.match_end, t.end)); agent != none) {
      std::uint32_t k = t.begin;
      if (k > 0 && toks_[k - 1].word == comma_) --k;
      const int patient = k > 0 ? group_before(k - 1) : none;
      if (patient != none && patient != agent) {
        t.subject = agent;
        t.target = patient;
        return;
      }
    }
  }
  if (t.noun) {
    // "Russia's invasion", "its invasion", "the Russian invasion", "an attack by Russia".
    std::uint32_t k = t.begin;
    int mods = 0;
    while (k > 0 && mods < 3 && w_.group_ending[k - 1] == none && !has(k - 1, wc_function | wc_light | wc_be) &&
           toks_[k - 1].is(tf_word) && !has(k - 1, wc_verbish)) {
      --k;
      ++mods;
    }
    if (k > 0) {
      const int g = w_.group_ending[k - 1];
      if (g != none && g != t.target) {
        const Group& grp = w_.groups[static_cast<std::size_t>(g)];
        const auto& last = w_.mentions[grp.first + grp.count - 1];
        // "Russia's invasion", "the Russian invasion", "Israeli tank shelling" (even after a preposition).
        if (grp.possessive || last.kind == MentionKind::demonym || (k == t.begin && last.kind == MentionKind::agent) ||
            (last.kind == MentionKind::pronoun && has(k - 1, wc_possessive_pron)) ||
            (k == t.begin && last.kind != MentionKind::pronoun && !grp.governed && !grp.locative)) {
          t.subject = g;
          return;
        }
      }
    }
    if (const int agent = by_agent(std::max(t.match_end, t.end)); agent != none) {
      t.subject = agent;
      return;
    }
    // Otherwise the noun needs a light verb ("launched an attack on", "held talks with") or a copula
    // ("is critical of") to take the clause subject: "the war in Ukraine" has no actor of its own.
    std::uint32_t q = k;
    int steps = 0;
    while (q > 0 && steps < 4 &&
           (has(q - 1, wc_det | wc_adverb | wc_number_word | wc_to) ||
            (toks_[q - 1].is(tf_word) && !has(q - 1, wc_function) && !has(q - 1, wc_light) &&
             w_.in_mention[q - 1] == none))) {
      --q;
      ++steps;
    }
    if (q == 0 || !has(q - 1, wc_light | wc_be)) {
      t.subject = none;
      return;
    }
    t.light = static_cast<int>(q - 1);
    // The light verb's subject ("the EU announced new sanctions on").
    const auto lv = q - 1;
    int g = adjacent_subject(lv, t);
    if (g == none) g = leftmost_subject(clause_start(lv), lv, t);
    if (g != none) {
      t.subject = g;
      return;
    }
  }
  t.subject = clause_subject(ti);
}

int SentenceCoder::by_agent(std::uint32_t from) const {
  for (std::uint32_t k = from; k < n_ && k < from + 6; ++k) {
    if (w_.boundary[k] || toks_[k].punct == '.') break;
    if (has(k, wc_by)) {
      const auto q = skip_det(k + 1);
      if (q < n_ && w_.group_at[q] != none) return w_.group_at[q];
      return none;
    }
  }
  return none;
}

int SentenceCoder::clause_subject(std::size_t ti) {
  Trigger& t = w_.triggers[ti];
  const auto cs = clause_start(t.begin);
  const bool infinitive = t.begin > 0 && has(t.begin - 1, wc_to);
  const bool after_prep = t.begin > 0 && has(t.begin - 1, wc_prep) && !infinitive;
  if (!t.noun && !infinitive && !after_prep) {
    if (const int g = adjacent_subject(t.begin, t); g != none) return g;
  }
  // A gerund right after a plain noun modifies it: "sanctions targeting Russian lawmakers" has no actor.
  if (!t.noun && t.form == FormKind::gerund && t.begin > 0 && toks_[t.begin - 1].is(tf_word) &&
      w_.in_mention[t.begin - 1] == none && !toks_[t.begin - 1].is(tf_possessive)) {
    const bool noun_before = std::any_of(w_.triggers.begin(), w_.triggers.end(),
                                         [&](const Trigger& x) { return x.noun && x.end == t.begin; });
    if (noun_before || cls(t.begin - 1) == 0) return none;
  }
  if (infinitive) {
    // "urged China to act": the object controls; otherwise the subject of the governing verb.
    if (t.begin >= 2) {
      const int g = group_before(t.begin - 2);
      if (eligible(g, t)) return g;
    }
    // "Sweden's bid to join NATO", "its decision to leave": the owner of the noun before "to".
    for (std::uint32_t k = t.begin - 1, words = 0;
         k > 0 && words < 2 && toks_[k - 1].is(tf_word) && w_.in_mention[k - 1] == none && !has(k - 1, wc_function);
         --k, ++words) {
      const int g = k >= 2 ? group_before(k - 2) : none;
      if (g != none && g != t.target && w_.groups[static_cast<std::size_t>(g)].possessive) return g;
    }
    for (std::size_t k = ti; k-- > 0;) {
      const auto& prev = w_.triggers[k];
      if (prev.subject != none && prev.begin >= cs) {
        t.inherited = true;
        return prev.subject;
      }
    }
  }
  // ", travelling to Washington": a participle clause shares its clause's subject, else the sentence's.
  if (t.form == FormKind::gerund && !t.noun && t.begin > 0 && toks_[t.begin - 1].word == comma_) {
    int g = leftmost_subject(cs, t.begin, t);
    if (g == none) g = leftmost_subject(0, t.begin, t);
    if (g != none) {
      t.inherited = true;
      return g;
    }
  }
  if (after_prep || (t.form == FormKind::gerund && !t.noun)) {
    if (const int g = nearest_owner(cs, t.begin, t); g != none) return g;
  }
  if (const int g = leftmost_subject(cs, t.begin, t); g != none) return g;
  // A verb coordinated with an earlier one shares its subject: "condemned X and promised Y"; not a verb with a
  // subject of its own ("after a missile crossed into its airspace").
  if (!t.noun && t.begin > 0 && toks_[t.begin - 1].is(tf_word) && cls(t.begin - 1) == 0 &&
      w_.in_mention[t.begin - 1] == none)
    return none;
  if (cs > 0 && has(cs - 1, wc_sub)) return none;
  for (std::size_t k = ti; k-- > 0;) {
    const auto& prev = w_.triggers[k];
    if (prev.subject != none && !prev.noun) {
      t.inherited = true;
      return prev.subject;
    }
  }
  return none;
}

const std::string* SentenceCoder::rule(const boost::unordered_flat_map<std::string, std::string>& m,
                                       const std::string& code) const {
  for (std::size_t len = code.size(); len >= 2; --len) {
    const auto it = m.find(code.substr(0, len));
    if (it != m.end()) return &it->second;
  }
  return nullptr;
}

bool SentenceCoder::hypothetical(const std::string& code) const {
  const auto& h = d_.rules.hypothetical;
  return std::any_of(h.begin(), h.end(), [&](const std::string& p) { return code.compare(0, p.size(), p) == 0; });
}

void SentenceCoder::apply_modality() {
  static const std::string consider_code = "014";
  auto& ts = w_.triggers;
  // "Would China supply weapons to Russia?": a yes/no question asserts nothing.
  if (n_ > 1 && toks_[n_ - 1].punct == '?') {
    std::uint32_t first = 0;
    while (first < n_ && !toks_[first].is(tf_word)) ++first;
    if (first < n_ && has(first, wc_aux | wc_be | wc_modal) && !w_.in_date[first]) {
      for (auto& t : ts) t.suppressed = true;
      return;
    }
  }
  for (std::size_t i = 0; i < ts.size(); ++i) {
    Trigger& t = ts[i];
    if (!t.pattern) continue;
    // Look back over the verb group: "did not", "would never", "refused to", "plans to".
    bool neg = false, modal = false, intent = false, refuse = false, future = false, uncertain = false;
    // A noun's modality is its light verb's: "are seeking to deepen a partnership".
    std::uint32_t k = t.light != none ? static_cast<std::uint32_t>(t.light) : t.begin;
    int steps = 0;
    while (k > 0 && steps < 5) {
      const auto c = cls(k - 1);
      // "Russia in May attacked": a date, not the modal.
      if (w_.in_date[k - 1] || ((c & wc_modal) && k > 1 && toks_[k - 1].is(tf_cap))) {
        --k;
        ++steps;
        continue;
      }
      if (c & wc_neg)
        neg = true;
      else if (c & wc_modal) {
        modal = true;
        future = future || has(k - 1, wc_future);
        uncertain = uncertain || has(k - 1, wc_uncertain);
      } else if (c & wc_to) {
        // "to" after an intention or refusal word (also in its inflected forms).
        std::uint32_t q = k - 1;
        while (q > 0 && (has(q - 1, wc_adverb) || w_.in_date[q - 1] || (w_.in_date[q] && has(q - 1, wc_prep)))) --q;
        // "pledged during the campaign to cut": a short phrase may stand between the intention and "to".
        for (std::uint32_t r = q, hops = 0; r > 0 && hops < 5; --r, ++hops) {
          if (has(r - 1, wc_intent | wc_refuse)) {
            (has(r - 1, wc_intent) ? intent : refuse) = true;
            // "has no plans to", "is not willing to", "did not want to"
            for (std::uint32_t a = r - 1, back = 0;
                 a > 0 && back < 3 && has(a - 1, wc_aux | wc_be | wc_adverb | wc_neg); --a, ++back)
              if (has(a - 1, wc_neg)) neg = true;
            break;
          }
          if (w_.boundary[r - 1] || has(r - 1, wc_verbish | wc_light) || toks_[r - 1].is(tf_punct)) break;
        }
        // "would not allow Sweden to join": what a negated verb lets or makes happen did not happen.
        if (!intent && !refuse) {
          std::uint32_t v = q;
          while (v > 0 && (w_.in_mention[v - 1] != none || has(v - 1, wc_det) || toks_[v - 1].is(tf_possessive))) --v;
          if (v > 0 && toks_[v - 1].is(tf_word) && !has(v - 1, wc_function))
            for (std::uint32_t a = v - 1, hops = 0;
                 a > 0 && hops < 3 && has(a - 1, wc_aux | wc_modal | wc_be | wc_adverb | wc_neg); --a, ++hops)
              if (has(a - 1, wc_neg)) t.suppressed = true;
        }
        break;
      } else if (!(c & (wc_aux | wc_be | wc_adverb))) {
        break;
      }
      --k;
      ++steps;
    }
    if (t.noun && t.begin > 0 && has(t.begin - 1, wc_neg)) neg = true;
    // "Israel announced it would free the prisoners": what an actor says it will do is an intention.
    if (future && !neg && !intent && !refuse && t.subject != none && self_reported(t)) intent = true;
    // "if Russia attacks", "unless Hamas releases the hostages": a condition, not an event.
    if (const auto cs = clause_start(t.light != none ? static_cast<std::uint32_t>(t.light) : t.begin);
        cs > 0 && has(cs - 1, wc_condition)) {
      t.suppressed = true;
      continue;
    }
    // "Germany is considering sending missiles to Ukraine": a policy option (014), not the act.
    if (!t.noun && t.form == FormKind::gerund && t.begin > 0 && has(t.begin - 1, wc_consider) && !neg) {
      t.code = consider_code;
      continue;
    }
    if (refuse || (neg && (modal || intent))) {
      if (const auto* c = rule(d_.rules.refuse, t.code))
        t.code = *c;
      else
        t.polarity = Polarity::negated;
    } else if (neg) {
      t.polarity = Polarity::negated;
    } else if (intent) {
      if (const auto* c = rule(d_.rules.intent, t.code))
        t.code = *c;
      else
        t.suppressed = true;
    } else if (uncertain) {
      t.suppressed = true;  // "China could invade Taiwan", "Iran may retaliate": possible, not done
    } else if (!t.noun && t.pattern->intransitive && t.begin > 0 && has(t.begin - 1, wc_to)) {
      t.suppressed = true;  // a purpose with no target is no event: "trading weapons ... to launch a satellite"
    }
  }
  // Complements: "urged China to meet" (the appeal takes the embedded act's kind), "accused X of attacking".
  for (std::size_t i = 0; i + 1 < ts.size(); ++i) {
    Trigger& gov = ts[i];
    if (!gov.pattern) continue;
    for (std::size_t j = i + 1; j < ts.size(); ++j) {
      Trigger& emb = ts[j];
      std::uint32_t gap = gov.match_end;
      while (gap < emb.begin && w_.in_date[gap]) ++gap;  // "accused X on Sunday of shelling"
      if (gap < emb.begin && (has(gap, wc_to) || has(gap, wc_prep))) ++gap;
      while (gap < emb.begin && has(gap, wc_det | wc_adverb)) ++gap;
      if (gap != emb.begin) continue;
      // An embedded act without its own actors still has a kind: its block's first code.
      const std::string emb_code = !emb.code.empty() ? emb.code : d_.blocks[emb.block].code;
      const std::string emb_root = emb_code.empty() ? std::string() : root_of(emb_code);
      if (!emb_root.empty()) {
        for (std::size_t len = gov.code.size(); len >= 2; --len) {
          const auto it = d_.rules.complement.find(gov.code.substr(0, len) + "/" + emb_root);
          if (it != d_.rules.complement.end()) {
            gov.code = it->second;
            break;
          }
        }
      }
      if (hypothetical(gov.code) && emb.pattern) {
        emb.suppressed = true;
        if (gov.target == none && emb.target != none) gov.target = emb.target;
      }
      break;
    }
  }
  // What an appeal, demand, threat or accusation asks for did not happen: "demanded that the US stop arming
  // Taiwan" codes the demand only. The scope ends at the next clause boundary other than "that" and "to".
  for (std::size_t i = 0; i < ts.size(); ++i) {
    const Trigger& gov = ts[i];
    // An unmatched noun still governs ("faces pressure from Congress to help"); an unmatched verb governs only
    // its object noun (below), so that "refused to meet" is left to the refusal rules.
    const bool unmatched_verb = !gov.pattern && !gov.noun && !gov.passive;
    const std::string& gcode = gov.pattern ? gov.code : d_.blocks[gov.block].code;
    if (gov.suppressed || gcode.empty() || !hypothetical(gcode)) continue;
    if (unmatched_verb && root_of(gcode) != "12") continue;  // only rejections void their object
    for (std::size_t j = i + 1; j < ts.size(); ++j) {
      // An unmatched verb governs only the noun it takes as object: "blocked the EU aid package".
      if (unmatched_verb && (!ts[j].noun || ts[j].begin > gov.end + 4)) break;
      bool crossed = false;
      for (auto q = gov.end; q < ts[j].begin && !crossed; ++q)
        crossed = w_.boundary[q] && !has(q, wc_comp) && toks_[q].punct != '"';
      if (crossed) break;
      ts[j].suppressed = true;
    }
  }
  // "X said Y attacked Z": X accuses Y (112); "X said it attacked Z": X claims responsibility (015).
  for (auto& t : ts)
    if (t.pattern && !t.suppressed && t.polarity == Polarity::asserted && t.subject != none &&
        (hostile(t.code) || root_of(t.code) == "17") && root_of(t.code) != "15")
      t.claimant = reporter(t, wc_claim);
  // Denial: what a 016 event's clause reports is denied ("the Kremlin denied North Korea supplied ...").
  for (std::size_t i = 0; i < ts.size(); ++i) {
    Trigger& den = ts[i];
    if (!den.pattern || den.suppressed || den.code != "016") continue;
    for (std::size_t j = i + 1; j < ts.size(); ++j) {
      Trigger& e = ts[j];
      if (!e.pattern) continue;
      bool crossed = false;
      for (auto q = den.end; q < e.begin && !crossed; ++q) crossed = toks_[q].punct == ';' || has(q, wc_sub);
      if (crossed) break;
      e.polarity = Polarity::denied;
      e.suppressed = false;
      if (den.target == none)
        den.target = e.subject != none && !same_actor(e.subject, den.subject) ? e.subject : e.target;
    }
  }
}

int SentenceCoder::reporter(const Trigger& t, std::uint64_t verbs) const {
  const auto cs = clause_start(t.light != none ? static_cast<std::uint32_t>(t.light) : t.begin);
  if (cs == 0) return none;
  std::uint32_t v = cs - 1;  // the reporting verb, or "that" after it
  if (has(v, wc_comp) && v > 0) --v;
  if (!has(v, verbs)) return none;
  std::uint32_t k = v;
  while (k > 0 && (has(k - 1, wc_aux | wc_be | wc_modal | wc_adverb) || w_.in_date[k - 1])) --k;
  if (k == 0) return none;
  const int g = group_before(k - 1);
  return g != t.subject ? g : none;
}

bool SentenceCoder::self_reported(const Trigger& t) const {
  const int g = reporter(t, wc_report);
  return g != none && same_actor(g, t.subject);
}

bool SentenceCoder::same_actor(int a, int b) const {
  if (a == none || b == none) return a == b;
  const auto& ga = w_.groups[static_cast<std::size_t>(a)];
  const auto& gb = w_.groups[static_cast<std::size_t>(b)];
  const auto& ra = w_.mentions[ga.first].ref;
  const auto& rb = w_.mentions[gb.first].ref;
  if (ra.actor == d_.nowhere || rb.actor == d_.nowhere) return ra == rb;
  if (ra.actor == rb.actor) return true;
  // A person stands for the country they serve: "Biden said the United States would ...".
  const auto ca = home_country(ra), cb = home_country(rb);
  const bool a_state = d_.actors[ra.actor].type != ActorType::country || ra.agent == 0;
  const bool b_state = d_.actors[rb.actor].type != ActorType::country || rb.agent == 0;
  return ca && ca == cb && (a_state || b_state || ra.agent == rb.agent);
}

}  // namespace geokg::extract::detail
