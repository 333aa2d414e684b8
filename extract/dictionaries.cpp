#include "extract/dates.hpp"
#include "extract/dictionary_data.hpp"
#include "extract/tokenizer.hpp"

#include "core/text.hpp"
#include "data/embedded.hpp"

#include <algorithm>
#include <charconv>
#include <set>

namespace geokg::extract {
namespace {

using core::Result;

// Reads the lines of a dictionary, skipping comments and blank lines, keeping line numbers for errors.
template <class F>
Result<void> for_each_line(std::string_view /*name*/, std::string_view text, F&& f) {
  const auto lines = core::split_lines(text);
  for (std::size_t n = 0; n < lines.size(); ++n) {
    const std::string_view line = lines[n];
    const std::string_view t = core::trim(line);
    if (t.empty() || t.front() == '#') continue;
    if (auto r = f(line, n + 1); !r) return r;
  }
  return {};
}

core::Error line_error(std::string_view file, std::size_t line, std::string_view what) {
  return core::invalid_argument(std::string(file) + ":" + std::to_string(line) + ": " + std::string(what));
}

std::vector<std::string_view> split_trimmed(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (auto part : core::split(s, sep)) {
    part = core::trim(part);
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

std::string strip_the(std::string_view phrase) {
  std::string p(core::trim(phrase));
  if (p.size() > 4 && (p.compare(0, 4, "the ") == 0 || p.compare(0, 4, "The ") == 0 || p.compare(0, 4, "THE ") == 0))
    p.erase(0, 4);
  return p;
}

std::string title_case(std::string_view s) {
  std::string out;
  bool start = true;
  for (char c : s) {
    if (c == '_' || c == ' ') {
      out.push_back(' ');
      start = true;
      continue;
    }
    if (start && c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 'a' + 'A');
    else if (!start && c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    out.push_back(c);
    start = false;
  }
  return std::string(core::trim(out));
}

class Builder {
 public:
  explicit Builder(Dictionaries::Impl& d) : d_(d) { d_.agents.push_back(AgentCode{}); }

  // ---- grammar ------------------------------------------------------------------------------------
  Result<void> grammar(std::string_view text) {
    static const std::pair<std::string_view, WordClass> names[] = {
        {"det", wc_det},
        {"prep", wc_prep},
        {"locative", wc_locative},
        {"aux", wc_aux},
        {"be", wc_be},
        {"neg", wc_neg},
        {"coord", wc_coord},
        {"sub", wc_sub},
        {"rel", wc_rel},
        {"comp", wc_comp},
        {"report", wc_report},
        {"pron_person", wc_pron_person},
        {"pron_thing", wc_pron_thing},
        {"pron_plural", wc_pron_plural},
        {"pron_first", wc_pron_first},
        {"abbrev", wc_abbrev},
        {"title_abbrev", wc_title_abbrev},
        {"intent", wc_intent},
        {"refuse", wc_refuse},
        {"deny", wc_deny},
        {"modal", wc_modal},
        {"to", wc_to},
        {"by", wc_by},
        {"possessive", wc_possessive_pron},
        {"adverb", wc_adverb},
        {"function", wc_function},
        {"country_noun", wc_generic_country},
        {"number", wc_number_word},
        {"accord", wc_accord},
        {"light", wc_light},
        {"relational", wc_relational},
        {"future", wc_future},
        {"region", wc_region},
        {"claim", wc_claim},
        {"uncertain", wc_uncertain},
        {"condition", wc_condition},
        {"consider", wc_consider},
    };
    return for_each_line("grammar.tsv", text, [&](std::string_view line, std::size_t n) -> Result<void> {
      const auto f = core::split(line, '\t');
      if (f.size() != 2) return line_error("grammar.tsv", n, "expected: word<TAB>class|class...");
      std::uint64_t classes = 0;
      for (auto c : split_trimmed(f[1], '|')) {
        const auto it = std::find_if(std::begin(names), std::end(names), [&](const auto& p) { return p.first == c; });
        if (it == std::end(names)) return line_error("grammar.tsv", n, "unknown word class '" + std::string(c) + "'");
        classes |= it->second;
      }
      // Closed-class words are function words (never part of a name); content verbs listed for their
      // role (light, intent, refusal, reporting) are not.
      if ((classes & ~static_cast<std::uint64_t>(wc_light | wc_intent | wc_refuse | wc_report | wc_deny |
                                                 wc_relational | wc_region | wc_claim | wc_consider)) != 0)
        classes |= wc_function;
      const std::string word(core::trim(f[0]));
      const std::string key = core::to_lower_ascii(word);
      std::string stripped;
      for (char c : key)
        if (c != '.' && c != '\'') stripped.push_back(c);
      d_.vocab.add_classes(d_.vocab.intern(stripped), classes);
      return {};
    });
  }

  // ---- phrases -------------------------------------------------------------------------------------
  std::vector<std::uint32_t> intern_phrase(std::string_view phrase) {
    std::vector<std::uint32_t> ids;
    for (const auto& k : phrase_keys(phrase, d_.vocab)) ids.push_back(d_.vocab.intern(k));
    return ids;
  }

  void add_phrase(std::string_view phrase, PhraseHit hit) {
    const std::string p = strip_the(phrase);
    const auto ids = intern_phrase(p);
    if (ids.empty()) return;
    const auto node = d_.phrases.insert(ids);
    if (d_.phrase_hits.size() <= node) d_.phrase_hits.resize(node + 1);
    auto& hits = d_.phrase_hits[node];
    for (const auto& h : hits)
      if (h.kind == hit.kind && h.index == hit.index && h.agent == hit.agent && h.user == hit.user) return;
    if (hits.empty()) ++d_.phrase_count;
    hits.push_back(hit);
  }

  bool phrase_taken(std::string_view phrase) {
    const auto keys = phrase_keys(phrase, d_.vocab);
    std::uint32_t node = PhraseTrie::root;
    for (const auto& k : keys) {
      const auto id = d_.vocab.find(k);
      if (id == 0) return false;
      node = d_.phrases.child(node, id);
      if (node == PhraseTrie::none) return false;
    }
    return d_.hits(node) != nullptr;
  }

  // ---- agents and titles ---------------------------------------------------------------------------
  std::uint16_t agent_index(std::string_view code, bool create) {
    for (std::size_t i = 1; i < d_.agents.size(); ++i)
      if (d_.agents[i].code == code) return static_cast<std::uint16_t>(i);
    if (!create) return 0;
    d_.agents.push_back(AgentCode{std::string(code), core::to_lower_ascii(code), core::ActorType::organization, false});
    return static_cast<std::uint16_t>(d_.agents.size() - 1);
  }

  Result<void> agents(std::string_view text) {
    return for_each_line("agents.tsv", text, [&](std::string_view line, std::size_t n) -> Result<void> {
      const auto f = core::split(line, '\t');
      if (!line.empty() && line.front() == '@') {
        if (f.size() != 4) return line_error("agents.tsv", n, "expected: @CODE<TAB>label<TAB>type<TAB>state|sector");
        auto type = core::parse_actor_type(core::trim(f[2]));
        if (!type) return line_error("agents.tsv", n, "unknown actor type");
        const std::string code(core::trim(f[0].substr(1)));
        const auto i = agent_index(code, true);
        d_.agents[i].label = std::string(core::trim(f[1]));
        d_.agents[i].type = *type;
        d_.agents[i].is_state = core::trim(f[3]) == "state";
        if (code == "GOV") d_.gov_agent = i;
        return {};
      }
      if (f.size() != 2 && f.size() != 3) return line_error("agents.tsv", n, "expected: phrase<TAB>CODE[<TAB>flags]");
      const auto i = agent_index(core::trim(f[1]), false);
      if (i == 0) return line_error("agents.tsv", n, "agent code not defined by an @ line");
      std::uint8_t flags = 0;
      if (f.size() == 3)
        for (auto flag : split_trimmed(f[2], '|')) {
          if (flag == "alone")
            flags |= af_alone;
          else if (flag == "local")
            flags |= af_alone | af_local;
          else
            return line_error("agents.tsv", n, "unknown flag '" + std::string(flag) + "' (alone, local)");
        }
      PhraseHit hit{PhraseKind::agent, false, i, 0, {}};
      hit.flags = flags;
      add_phrase(core::trim(f[0]), hit);
      return {};
    });
  }

  Result<void> titles(std::string_view text) {
    return for_each_line("titles.tsv", text, [&](std::string_view line, std::size_t n) -> Result<void> {
      const auto f = core::split(line, '\t');
      if (f.size() != 3) return line_error("titles.tsv", n, "expected: phrase<TAB>role|role...<TAB>AGENT");
      Title t;
      for (auto r : split_trimmed(f[1], '|')) t.roles.emplace_back(r);
      t.agent = agent_index(core::trim(f[2]), false);
      if (t.agent == 0) return line_error("titles.tsv", n, "unknown agent code");
      d_.titles.push_back(std::move(t));
      add_phrase(core::trim(f[0]),
                 PhraseHit{PhraseKind::title, false, 0, static_cast<std::uint32_t>(d_.titles.size() - 1), {}});
      return {};
    });
  }

  // ---- actors --------------------------------------------------------------------------------------
  std::uint32_t add_actor(ActorEntry e) {
    if (const auto it = d_.actor_by_id.find(e.id); it != d_.actor_by_id.end()) {
      auto& old = d_.actors[it->second];
      if (old.name.empty()) old.name = e.name;
      if (old.adjective.empty()) old.adjective = e.adjective;
      for (auto& r : e.roles) old.roles.push_back(std::move(r));
      return it->second;
    }
    const auto i = static_cast<std::uint32_t>(d_.actors.size());
    d_.actor_by_id.emplace(e.id, i);
    d_.actors.push_back(std::move(e));
    return i;
  }

  static Result<core::Date> parse_date_field(std::string_view s) {
    if (s.empty()) return core::Date{};
    return core::Date::parse(s);
  }

  // countries.tsv, igos.tsv, groups.tsv: id name type country aliases adjectives
  // people.tsv: id name type country aliases roles
  Result<void> actors(std::string_view file, std::string_view text, bool people, bool user) {
    std::vector<std::uint32_t> persons;
    auto r = for_each_line(file, text, [&](std::string_view line, std::size_t n) -> Result<void> {
      const auto f = core::split(line, '\t');
      if (f.size() != 6)
        return line_error(file, n,
                          "expected 6 tab-separated fields: id name type country aliases " +
                              std::string(people ? "roles" : "adjectives"));
      auto type = core::parse_actor_type(core::trim(f[2]));
      if (!type) return line_error(file, n, "unknown actor type '" + std::string(core::trim(f[2])) + "'");
      ActorEntry e;
      e.id = std::string(core::trim(f[0]));
      e.name = std::string(core::trim(f[1]));
      e.type = *type;
      e.country = std::string(core::trim(f[3]));
      if (e.id.empty() || e.name.empty()) return line_error(file, n, "empty id or name");
      const auto aliases = split_trimmed(f[4], '|');
      const auto last = split_trimmed(f[5], '|');
      if (people || e.type == core::ActorType::person) {
        for (auto role : last) {
          const auto parts = core::split(role, '/');
          if (parts.size() != 4) return line_error(file, n, "role must be ORG/role/start/end");
          auto since = parse_date_field(core::trim(parts[2]));
          auto until = parse_date_field(core::trim(parts[3]));
          if (!since || !until) return line_error(file, n, "bad role date in '" + std::string(role) + "'");
          core::DateRange when;
          if (!core::trim(parts[2]).empty()) when.since = *since;
          if (!core::trim(parts[3]).empty()) when.until = *until;
          e.roles.push_back(Role{std::string(core::trim(parts[0])), std::string(core::trim(parts[1])), when});
        }
      } else if (!last.empty()) {
        e.adjective = std::string(last.front());
      }
      const auto idx = add_actor(e);
      const PhraseHit hit{PhraseKind::actor, user, 0, idx, {}};
      add_phrase(e.name, hit);
      for (auto a : aliases) add_phrase(a, hit);
      // Group and IGO ids are their acronyms ("ELN", "RSF", "PKK"); capitalised text only (see the coder).
      if ((e.type == core::ActorType::group || e.type == core::ActorType::organization ||
           e.type == core::ActorType::igo) &&
          e.id.size() >= 2 && std::all_of(e.id.begin(), e.id.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
        pending_ids_.emplace_back(e.id, idx);
      if (!people && e.type != core::ActorType::person) {
        for (auto adj : last) {
          add_phrase(adj, PhraseHit{PhraseKind::demonym, user, 0, idx, {}});
          // Plural demonyms name the people: "Russians", "Israelis".
          if (!adj.empty() && (adj.back() == 'n' || adj.back() == 'i'))
            add_phrase(std::string(adj) + "s", PhraseHit{PhraseKind::demonym, user, 0, idx, {}});
        }
      } else {
        persons.push_back(idx);
      }
      return {};
    });
    if (!r) return r;
    for (const auto idx : persons) {
      const auto& e = d_.actors[idx];
      for (const auto& role : e.roles) d_.holders[role.org + "/" + role.role].push_back(idx);
    }
    pending_surnames_.insert(pending_surnames_.end(), persons.begin(), persons.end());
    return {};
  }

  void index_person_words() {
    for (const auto idx : pending_surnames_) {
      const auto& e = d_.actors[idx];
      std::vector<std::uint32_t> words;
      const auto add = [&](std::string_view phrase) {
        for (const auto& k : phrase_keys(phrase, d_.vocab)) {
          const auto id = d_.vocab.find(k);
          if (id == 0 || k.size() < 3 || (d_.vocab.classes(id) & wc_function)) continue;
          if (std::find(words.begin(), words.end(), id) == words.end()) words.push_back(id);
        }
      };
      add(e.name);
      for (const auto id : words) d_.person_words[id].push_back(idx);
    }
  }

  // A person is also found by the last word of their name ("Blinken") when no other phrase claims it.
  void add_surnames() {
    // A family name shared by several persons (Kim, Lee, Wang) names none of them.
    boost::unordered_flat_map<std::string, int> count;
    const auto family_of = [&](const ActorEntry& e) {
      const auto space = e.name.rfind(' ');
      if (space == std::string::npos) return std::string();
      const bool first = std::find(family_first_.begin(), family_first_.end(), e.country) != family_first_.end();
      return core::to_lower_ascii(first ? e.name.substr(0, e.name.find(' ')) : e.name.substr(space + 1));
    };
    for (const auto idx : pending_surnames_) ++count[family_of(d_.actors[idx])];
    for (const auto idx : pending_surnames_) {
      if (count[family_of(d_.actors[idx])] > 1) {
        const auto family = family_of(d_.actors[idx]);
        if (family.size() >= 2)
          if (const auto id = d_.vocab.intern(family); id != 0) d_.shared_family_names[id].push_back(idx);
        continue;
      }
      const auto& e = d_.actors[idx];
      const auto space = e.name.rfind(' ');
      if (space == std::string::npos) continue;
      // "Yoon" for Yoon Suk Yeol, "Blinken" for Antony Blinken.
      const bool first = std::find(family_first_.begin(), family_first_.end(), e.country) != family_first_.end();
      const std::string family = first ? e.name.substr(0, e.name.find(' ')) : e.name.substr(space + 1);
      if (family.size() < (first ? 2u : 4u) || phrase_taken(family)) continue;
      add_phrase(family, PhraseHit{PhraseKind::actor, false, 0, idx, {}});
    }
  }

  Result<void> places(std::string_view text) {
    return for_each_line("places.tsv", text, [&](std::string_view line, std::size_t n) -> Result<void> {
      const auto f = core::split(line, '\t');
      if (f.size() != 2 && f.size() != 3)
        return line_error("places.tsv", n, "expected: phrase<TAB>actor id[<TAB>AGENT]");
      const auto it = d_.actor_by_id.find(std::string(core::trim(f[1])));
      if (it == d_.actor_by_id.end()) return {};  // the actor file does not have it (yet): skip, not fail
      std::uint16_t agent = 0;
      if (f.size() == 3 && !core::trim(f[2]).empty()) {
        agent = agent_index(core::trim(f[2]), false);
        if (agent == 0) return line_error("places.tsv", n, "unknown agent code");
      }
      add_phrase(core::trim(f[0]), PhraseHit{PhraseKind::place, false, agent, it->second, {}});
      return {};
    });
  }

  Result<void> cameo_codes(std::string_view text) {
    return for_each_line("code_rules.tsv", text, [&](std::string_view line, std::size_t n) -> Result<void> {
      const auto f = core::split(line, '\t');
      const auto kind = core::trim(f[0]);
      if (kind == "symmetric" && f.size() == 2) {
        d_.rules.symmetric.emplace_back(core::trim(f[1]));
      } else if (kind == "reciprocal" && f.size() == 2) {
        d_.rules.reciprocal.emplace_back(core::trim(f[1]));
      } else if ((kind == "intent" || kind == "refuse") && f.size() == 3) {
        auto& m = kind == "intent" ? d_.rules.intent : d_.rules.refuse;
        m[std::string(core::trim(f[1]))] = std::string(core::trim(f[2]));
      } else if (kind == "complement" && f.size() == 4) {
        d_.rules.complement[std::string(core::trim(f[1])) + "/" + std::string(core::trim(f[2]))] =
            std::string(core::trim(f[3]));
      } else if (kind == "family_name_first" && f.size() == 2) {
        family_first_.emplace_back(core::trim(f[1]));
      } else if (kind == "hypothetical" && f.size() == 2) {
        d_.rules.hypothetical.emplace_back(core::trim(f[1]));
      } else if (kind == "actor_code" && f.size() == 3) {
        cameo_ids_[std::string(core::trim(f[1]))] = std::string(core::trim(f[2]));
      } else {
        return line_error("code_rules.tsv", n,
                          "expected a symmetric, reciprocal, intent, refuse, complement, hypothetical, actor_code or "
                          "family_name_first line");
      }
      return {};
    });
  }

  Result<void> boilerplate(std::string_view text) {
    return for_each_line("boilerplate.tsv", text, [&](std::string_view line, std::size_t n) -> Result<void> {
      const auto f = core::split(line, '\t');
      if (f.size() != 2) return line_error("boilerplate.tsv", n, "expected: exact|prefix|byline<TAB>text");
      const auto kind = core::trim(f[0]);
      std::string norm = core::normalize_alias(f[1]);
      if (kind == "exact")
        d_.boilerplate.exact.push_back(std::move(norm));
      else if (kind == "prefix")
        d_.boilerplate.prefix.push_back(std::move(norm));
      else if (kind == "byline")
        d_.boilerplate.byline.push_back(std::move(norm));
      else
        return line_error("boilerplate.tsv", n, "unknown kind");
      return {};
    });
  }

  // ---- verb and noun patterns ----------------------------------------------------------------------
  static std::vector<std::string> verb_forms(const std::string& w, std::vector<FormKind>& kinds) {
    const auto vowel = [](char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; };
    const bool ends_y = w.size() > 1 && w.back() == 'y' && !vowel(w[w.size() - 2]);
    const bool ends_e = !w.empty() && w.back() == 'e';
    const auto ends = [&](std::string_view s) {
      return w.size() >= s.size() && w.compare(w.size() - s.size(), s.size(), s) == 0;
    };
    std::vector<std::string> out;
    out.push_back(w);
    kinds.push_back(FormKind::base);
    if (ends_y)
      out.push_back(w.substr(0, w.size() - 1) + "ies");
    else if (ends("s") || ends("x") || ends("z") || ends("ch") || ends("sh") || ends("o"))
      out.push_back(w + "es");
    else
      out.push_back(w + "s");
    kinds.push_back(FormKind::third);
    if (ends_y)
      out.push_back(w.substr(0, w.size() - 1) + "ied");
    else if (ends_e)
      out.push_back(w + "d");
    else
      out.push_back(w + "ed");
    kinds.push_back(FormKind::past_participle);
    if (ends("ie"))
      out.push_back(w.substr(0, w.size() - 2) + "ying");
    else if (ends_e && !ends("ee") && !ends("ye") && !ends("oe"))
      out.push_back(w.substr(0, w.size() - 1) + "ing");
    else
      out.push_back(w + "ing");
    kinds.push_back(FormKind::gerund);
    return out;
  }

  static std::string plural(const std::string& w) {
    const auto vowel = [](char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; };
    if (w.empty() || w.back() == 's') return w;
    if (w.size() > 1 && w.back() == 'y' && !vowel(w[w.size() - 2])) return w.substr(0, w.size() - 1) + "ies";
    if (w.back() == 'x' || w.back() == 'z' ||
        (w.size() > 1 && (w.compare(w.size() - 2, 2, "ch") == 0 || w.compare(w.size() - 2, 2, "sh") == 0)))
      return w + "es";
    return w + "s";
  }

  void add_trigger(const std::string& phrase, TriggerHit hit, bool verb) {
    const auto ids = intern_phrase(phrase);
    if (ids.empty()) return;
    if (verb) d_.vocab.add_classes(ids.front(), wc_verbish);
    const auto node = d_.triggers.insert(ids);
    if (d_.trigger_hits.size() <= node) d_.trigger_hits.resize(node + 1);
    for (const auto& h : d_.trigger_hits[node])
      if (h.block == hit.block) return;
    d_.trigger_hits[node].push_back(hit);
  }

  Result<std::uint32_t> class_index(std::string_view name, std::string_view file, std::size_t n) {
    for (std::size_t i = 0; i < d_.class_names.size(); ++i)
      if (d_.class_names[i] == name) return static_cast<std::uint32_t>(i);
    return line_error(file, n, "word class ~" + std::string(name) + " is not defined (define it before use)");
  }

  // "a|b_c|~name": words, multi-word phrases (with _) and the members of defined classes.
  Result<std::uint32_t> anonymous_class(std::string_view alternatives, std::string_view file, std::size_t n) {
    std::vector<std::vector<std::uint32_t>> alts;
    for (auto a : split_trimmed(alternatives, '|')) {
      if (a.front() == '~') {
        auto c = class_index(a.substr(1), file, n);
        if (!c) return c.error();
        const auto& members = d_.classes[*c];
        alts.insert(alts.end(), members.begin(), members.end());
        continue;
      }
      std::string phrase(a);
      std::replace(phrase.begin(), phrase.end(), '_', ' ');
      alts.push_back(intern_phrase(phrase));
      const auto sp = phrase.rfind(' ');
      const std::string lastw = sp == std::string::npos ? phrase : phrase.substr(sp + 1);
      if (const std::string pl = plural(lastw); pl != lastw)
        alts.push_back(intern_phrase(phrase.substr(0, phrase.size() - lastw.size()) + pl));
    }
    d_.classes.push_back(std::move(alts));
    d_.class_names.emplace_back();
    return static_cast<std::uint32_t>(d_.classes.size() - 1);
  }

  Result<void> verbs(std::string_view text) {
    const std::string_view file = "verbs.txt";
    std::size_t block = SIZE_MAX;  // index of the current block (the vector grows, so no pointer)
    auto r = for_each_line(file, text, [&](std::string_view raw, std::size_t n) -> Result<void> {
      std::string_view line = raw;
      if (const auto hash = line.find(" #"); hash != std::string_view::npos) line = line.substr(0, hash);
      if (const auto hash = line.find("\t#"); hash != std::string_view::npos) line = line.substr(0, hash);
      line = core::trim(line);
      if (line.empty()) return {};
      if (line.front() == '~') {
        const auto eq = line.find('=');
        if (eq == std::string_view::npos) return line_error(file, n, "class definition needs '='");
        const std::string name(core::trim(line.substr(1, eq - 1)));
        std::vector<std::vector<std::uint32_t>> alts;
        for (auto a : split_trimmed(line.substr(eq + 1), '|')) {
          std::string phrase(a);
          alts.push_back(intern_phrase(phrase));
          // Plurals of nouns in classes come for free.
          const auto sp = phrase.rfind(' ');
          const std::string lastw = sp == std::string::npos ? phrase : phrase.substr(sp + 1);
          const std::string pl = plural(lastw);
          if (pl != lastw) alts.push_back(intern_phrase(phrase.substr(0, phrase.size() - lastw.size()) + pl));
        }
        for (std::size_t i = 0; i < d_.class_names.size(); ++i)
          if (d_.class_names[i] == name) {
            d_.classes[i].insert(d_.classes[i].end(), alts.begin(), alts.end());
            return {};
          }
        d_.classes.push_back(std::move(alts));
        d_.class_names.push_back(name);
        return {};
      }
      if (line.rfind("==", 0) == 0) {
        std::string_view h = core::trim(line.substr(2));
        std::string code;
        if (const auto eq = h.find('='); eq != std::string_view::npos) {
          code = std::string(core::trim(h.substr(eq + 1)));
          h = core::trim(h.substr(0, eq));
        }
        std::vector<std::string> extra;
        if (const auto br = h.find('['); br != std::string_view::npos) {
          const auto close = h.find(']', br);
          if (close == std::string_view::npos) return line_error(file, n, "missing ']'");
          for (auto f : split_trimmed(h.substr(br + 1, close - br - 1), ' ')) extra.emplace_back(f);
          h = core::trim(h.substr(0, br));
        }
        bool noun = false;
        if (h.rfind("noun ", 0) == 0) {
          noun = true;
          h = core::trim(h.substr(5));
        }
        if (h.empty()) return line_error(file, n, "missing lemma");
        d_.blocks.push_back(TriggerBlock{std::string(h), noun, {}});
        block = d_.blocks.size() - 1;
        const auto bi = static_cast<std::uint32_t>(block);
        const std::string lemma = core::to_lower_ascii(h);
        const auto sp = lemma.find(' ');
        if (noun) {
          // Inflect the last word: "air strike" -> "air strikes".
          const auto last_sp = lemma.rfind(' ');
          const std::string head = last_sp == std::string::npos ? lemma : lemma.substr(last_sp + 1);
          const std::string prefix = last_sp == std::string::npos ? "" : lemma.substr(0, last_sp + 1);
          add_trigger(lemma, {bi, FormKind::noun}, false);
          add_trigger(prefix + plural(head), {bi, FormKind::noun}, false);
          for (const auto& x : extra) add_trigger(x, {bi, FormKind::noun}, false);
        } else {
          // Inflect the first word: "step up" -> "stepped up".
          const std::string head = sp == std::string::npos ? lemma : lemma.substr(0, sp);
          const std::string rest = sp == std::string::npos ? "" : lemma.substr(sp);
          std::vector<FormKind> kinds;
          const auto forms = verb_forms(head, kinds);
          for (std::size_t i = 0; i < forms.size(); ++i) add_trigger(forms[i] + rest, {bi, kinds[i]}, true);
          for (const auto& x : extra) {
            const bool ing = x.size() > 3 && x.compare(x.size() - 3, 3, "ing") == 0;
            const bool third = !ing && x.size() > 1 && x.back() == 's';
            add_trigger(x + rest,
                        {bi, ing     ? FormKind::gerund
                             : third ? FormKind::third
                                     : FormKind::past_participle},
                        true);
          }
        }
        if (!code.empty()) {
          if (auto p = pattern(code, "+", file, n); !p)
            return p.error();
          else
            d_.blocks[block].patterns.push_back(std::move(*p));
        }
        return {};
      }
      if (block == SIZE_MAX) return line_error(file, n, "pattern before the first '==' block");
      const auto ws = line.find_first_of(" \t");
      const std::string code(line.substr(0, ws));
      const std::string_view body = ws == std::string_view::npos ? std::string_view{} : core::trim(line.substr(ws));
      auto p = pattern(code, body, file, n);
      if (!p) return p.error();
      d_.blocks[block].patterns.push_back(std::move(*p));
      return {};
    });
    if (!r) return r;
    std::set<std::string> codes;
    for (auto& b : d_.blocks) {
      if (!b.patterns.empty()) b.code = b.patterns.front().code;
      // Most specific first; stable so that file order breaks ties.
      std::stable_sort(b.patterns.begin(), b.patterns.end(),
                       [](const Pattern& x, const Pattern& y) { return x.specificity > y.specificity; });
      d_.pattern_count += b.patterns.size();
      for (const auto& p : b.patterns) codes.insert(p.code);
    }
    // Codes reached through the intent, refusal and complement rules count too.
    for (const auto* m : {&d_.rules.intent, &d_.rules.refuse, &d_.rules.complement})
      for (const auto& [from, to] : *m) codes.insert(to);
    d_.coded_relations = codes.size();
    return {};
  }

  Result<Pattern> pattern(const std::string& code, std::string_view body, std::string_view file, std::size_t n) {
    if (code.empty() || !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return line_error(file, n, "pattern must start with a CAMEO code");
    if (d_.relations.size() > 0 && !d_.relations.find(code)) return line_error(file, n, "unknown CAMEO code " + code);
    Pattern p;
    p.code = code;
    p.text = std::string(body);
    for (auto e : split_trimmed(body, ' ')) {
      if (e == "+") {
        p.elems.push_back({PatternElem::target, 0});
        p.has_target = true;
      } else if (e == "$") {
        p.elems.push_back({PatternElem::source, 0});
        p.has_source = true;
      } else if (e == "%") {
        p.elems.push_back({PatternElem::pair, 0});
        p.pair = true;
        p.has_target = true;
      } else if (e == "-") {
        p.intransitive = true;
      } else if (e == "&") {
        p.mutual = true;
      } else if (e == "*") {
        p.elems.push_back({PatternElem::gap, 0});
      } else if (e.find('|') != std::string_view::npos) {
        auto c = anonymous_class(e, file, n);
        if (!c) return c.error();
        p.elems.push_back({PatternElem::klass, *c});
        p.specificity += 2;
      } else if (e.front() == '~') {
        auto c = class_index(e.substr(1), file, n);
        if (!c) return c.error();
        p.elems.push_back({PatternElem::klass, *c});
        p.specificity += 2;
      } else {
        std::string w(e);
        std::replace(w.begin(), w.end(), '_', ' ');
        for (const auto id : intern_phrase(w)) {
          p.elems.push_back({PatternElem::word, id});
          p.specificity += 2;
        }
      }
    }
    if (p.has_target) p.specificity += 1;
    // "met B", "signed a pact with B" hold both ways; "sold arms to B" does not.
    p.reciprocal = d_.rules.is_reciprocal(code);
    const auto to = d_.vocab.find("to"), for_ = d_.vocab.find("for");
    for (std::size_t i = 1; i < p.elems.size() && p.reciprocal; ++i) {
      if (p.elems[i].kind != PatternElem::target) continue;
      const auto& prev = p.elems[i - 1];
      if (prev.kind == PatternElem::word) p.reciprocal = prev.id != to && prev.id != for_;
      if (prev.kind == PatternElem::klass)
        for (const auto& alt : d_.classes[prev.id])
          if (alt.size() == 1 && (alt[0] == to || alt[0] == for_)) p.reciprocal = false;
    }
    return p;
  }

  // ---- PETRARCH / TABARI actor dictionaries --------------------------------------------------------
  static std::optional<core::Date> tabari_date(std::string_view s) {
    s = core::trim(s);
    int v = 0;
    if (s.size() != 6 && s.size() != 8) return std::nullopt;
    for (char c : s)
      if (c < '0' || c > '9') return std::nullopt;
    std::from_chars(s.data(), s.data() + s.size(), v);
    int y = 0;
    unsigned m = 0, d = 0;
    if (s.size() == 8) {
      y = v / 10000;
      m = static_cast<unsigned>(v / 100 % 100);
      d = static_cast<unsigned>(v % 100);
    } else {
      const int yy = v / 10000;
      y = yy < 40 ? 2000 + yy : 1900 + yy;
      m = static_cast<unsigned>(v / 100 % 100);
      d = static_cast<unsigned>(v % 100);
    }
    if (m == 0) m = 1;
    if (d == 0) d = 1;
    auto r = core::Date::from_ymd(y, m, d);
    if (!r) return std::nullopt;
    return *r;
  }

  struct CodeSpec {
    std::string code;
    core::DateRange when;
  };

  static std::vector<CodeSpec> parse_codes(std::string_view s) {
    std::vector<CodeSpec> out;
    std::size_t pos = 0;
    while ((pos = s.find('[', pos)) != std::string_view::npos) {
      const auto close = s.find(']', pos);
      if (close == std::string_view::npos) break;
      std::string_view inner = core::trim(s.substr(pos + 1, close - pos - 1));
      pos = close + 1;
      CodeSpec spec;
      const auto sp = inner.find_first_of(" \t");
      std::string_view code = inner.substr(0, sp);
      std::string_view restr = sp == std::string_view::npos ? std::string_view{} : core::trim(inner.substr(sp));
      if (!code.empty() && (code.front() == '<' || code.front() == '>' || (code.front() >= '0' && code.front() <= '9')))
        continue;  // a date block without a code
      std::string rs;
      for (char c : restr)
        if (c != ' ' && c != '\t') rs.push_back(c);
      if (!rs.empty()) {
        if (rs.front() == '<') {
          if (auto d = tabari_date(rs.substr(1))) spec.when.until = core::Date::from_days(d->days() - 1);
        } else if (rs.front() == '>') {
          if (auto d = tabari_date(rs.substr(1))) spec.when.since = *d;
        } else if (const auto dash = rs.find('-'); dash != std::string::npos) {
          auto a = tabari_date(rs.substr(0, dash));
          auto b = tabari_date(rs.substr(dash + 1));
          if (a) spec.when.since = *a;
          if (b) spec.when.until = *b;
        }
      }
      for (auto part : core::split(code, '/')) {
        if (part.empty()) continue;
        out.push_back(CodeSpec{std::string(part), spec.when});
      }
    }
    return out;
  }

  // Maps a CAMEO actor code (USA, USAGOV, IGOUNO, ARN) to an actor and an agent; creates unknown actors.
  std::optional<std::pair<std::uint32_t, std::uint16_t>> resolve_code(const std::string& code,
                                                                      std::string_view phrase) {
    if (code.size() < 3) return std::nullopt;
    if (const auto it = cameo_ids_.find(code); it != cameo_ids_.end()) {
      if (const auto a = d_.actor_by_id.find(it->second); a != d_.actor_by_id.end())
        return std::pair{a->second, std::uint16_t{0}};
    }
    std::string root = code.substr(0, 3);
    std::string rest = code.substr(3);
    if (root == "---" || root == "###" || root == "+++" || root == "***") return std::nullopt;
    if (root == "IGO" && rest.size() >= 3) {
      const std::string igo = code.substr(0, 6);
      if (const auto it = cameo_ids_.find(igo); it != cameo_ids_.end()) {
        if (const auto a = d_.actor_by_id.find(it->second); a != d_.actor_by_id.end())
          return std::pair{a->second, std::uint16_t{0}};
      }
      root = code.substr(0, 6);
      rest = code.substr(6);
    }
    std::uint32_t actor = 0;
    if (const auto it = d_.actor_by_id.find(root); it != d_.actor_by_id.end()) {
      actor = it->second;
    } else {
      ActorEntry e;
      e.id = root;
      e.name = title_case(phrase);
      e.type = root.size() == 3 ? core::ActorType::country : core::ActorType::organization;
      e.country = root.size() == 3 ? root : "";
      actor = add_actor(std::move(e));
    }
    std::uint16_t agent = 0;
    if (rest.size() >= 3) agent = agent_index(rest.substr(0, 3), true);
    return std::pair{actor, agent};
  }

  Result<void> petrarch(std::string_view name, std::string_view text) {
    struct Entry {
      std::vector<std::string> phrases;
      std::vector<CodeSpec> codes;
    };
    std::vector<Entry> entries;
    std::size_t added = 0;  // phrases taken from the file
    bool in_block = false;
    for (auto line : core::split_lines(text)) {
      if (line.rfind("~~FINISH", 0) == 0) break;
      std::string_view t = core::trim(line);
      if (t.empty()) continue;
      if (t.front() == '<') {
        in_block = t.size() > 1 && t[1] != '/';
        continue;
      }
      if (in_block || t.front() == '#' || t.front() == '!') continue;
      if (const auto c = t.find_first_of("#;"); c != std::string_view::npos) t = core::trim(t.substr(0, c));
      if (t.empty()) continue;
      if (t.front() == '[') {
        if (!entries.empty()) {
          auto codes = parse_codes(t);
          entries.back().codes.insert(entries.back().codes.end(), codes.begin(), codes.end());
        }
        continue;
      }
      const bool synonym = t.front() == '+';
      if (synonym) t = core::trim(t.substr(1));
      const auto br = t.find('[');
      std::string_view phrase = core::trim(t.substr(0, br));
      std::vector<CodeSpec> codes;
      if (br != std::string_view::npos) codes = parse_codes(t.substr(br));
      if (!phrase.empty() && phrase.back() == '=') phrase = core::trim(phrase.substr(0, phrase.size() - 1));
      if (phrase.empty()) continue;
      if (!synonym || entries.empty()) entries.push_back(Entry{});
      entries.back().phrases.emplace_back(phrase);
      entries.back().codes.insert(entries.back().codes.end(), codes.begin(), codes.end());
    }
    for (const auto& e : entries) {
      if (e.codes.empty()) continue;
      for (const auto& c : e.codes) {
        std::optional<std::pair<std::uint32_t, std::uint16_t>> target;
        PhraseHit hit;
        hit.user = true;
        hit.when = c.when;
        const auto tilde = c.code.find('~');
        if (tilde != std::string::npos) {
          std::string agent = c.code.substr(0, tilde) + c.code.substr(tilde + 1);
          agent = agent.substr(0, 3);
          if (agent.size() < 3) continue;
          hit.kind = PhraseKind::agent;
          hit.agent = agent_index(agent, true);
          hit.flags = af_alone;  // PETRARCH codes an agent without a country as "---<AGENT>"
        } else {
          target = resolve_code(c.code, e.phrases.front());
          if (!target) continue;
          hit.kind = PhraseKind::actor;
          hit.index = target->first;
          hit.agent = target->second;
        }
        for (const auto& p : e.phrases) {
          std::string words = p;
          const bool exact = !words.empty() && words.back() == '_';
          std::replace(words.begin(), words.end(), '_', ' ');
          words = std::string(core::trim(words));
          if (words.empty()) continue;
          add_phrase(words, hit);
          ++added;
          // A TABARI entry without a final underscore is a stem: ARGENTIN matches Argentina.
          if (!exact && words.find(' ') == std::string::npos && words.size() >= 4) {
            std::string key;
            for (char ch : core::to_lower_ascii(words))
              if (ch != '.' && ch != '\'') key.push_back(ch);
            d_.stems.emplace_back(std::move(key), hit);
          }
        }
      }
    }
    if (added == 0)
      return core::invalid_argument(std::string(name) +
                                    ": no dictionary entry found; expected geokg TSV rows (id, name, type, country, "
                                    "aliases, roles: 6 tab-separated fields) or PETRARCH/TABARI entries (PHRASE [CODE])");
    return {};
  }

  // The TSV format for user files: actors or persons by the number and content of fields.
  Result<void> user_tsv(std::string_view name, std::string_view text) {
    // A file whose rows carry roles in the last field (ORG/role/start/end) is a people file.
    bool people = false;
    for (auto line : core::split_lines(text)) {
      const auto t = core::trim(line);
      if (t.empty() || t.front() == '#') continue;
      const auto f = core::split(line, '\t');
      if (f.size() == 6 && core::trim(f[2]) == "person") people = true;
      break;
    }
    return actors(name, text, people, true);
  }

  void finish() {
    ActorEntry nowhere;
    nowhere.id = "XXX";
    nowhere.name = "unknown country";
    d_.nowhere = add_actor(std::move(nowhere));
    for (const auto& [id, idx] : pending_ids_)
      if (!phrase_taken(id)) add_phrase(id, PhraseHit{PhraseKind::actor, false, 0, idx, {}});
    index_person_words();
    add_surnames();
    std::sort(d_.stems.begin(), d_.stems.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  }

 private:
  Dictionaries::Impl& d_;
  std::vector<std::uint32_t> pending_surnames_;
  std::vector<std::pair<std::string, std::uint32_t>> pending_ids_;
  std::vector<std::string> family_first_;  // nationalities whose names put the family name first
  boost::unordered_flat_map<std::string, std::string> cameo_ids_;
};

std::string_view embedded_or(const std::optional<std::string_view>& text, std::string_view path) {
  if (text) return *text;
  return data::embedded(path).value_or(std::string_view{});
}

}  // namespace

namespace {
bool has_prefix(const std::vector<std::string>& prefixes, std::string_view code) {
  for (const auto& s : prefixes)
    if (code.size() >= s.size() && code.compare(0, s.size(), s) == 0) return true;
  return false;
}
}  // namespace

bool CodeRules::is_symmetric(std::string_view code) const noexcept { return has_prefix(symmetric, code); }

bool CodeRules::is_reciprocal(std::string_view code) const noexcept { return has_prefix(reciprocal, code); }

DictionaryFormat detect_format(std::string_view content) noexcept {
  int tsv = 0, petrarch = 0;
  for (auto line : core::split_lines(content)) {
    const auto t = core::trim(line);
    if (t.empty() || t.front() == '#') continue;
    if (std::count(line.begin(), line.end(), '\t') == 5) ++tsv;
    if (t.find('[') != std::string_view::npos || t.front() == '+' || t.front() == '<' || t.front() == ';') ++petrarch;
    if (tsv + petrarch > 50) break;
  }
  return tsv > petrarch ? DictionaryFormat::tsv : DictionaryFormat::petrarch;
}

Dictionaries::Dictionaries(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Dictionaries::~Dictionaries() = default;

const core::RelationCatalog& Dictionaries::relations() const noexcept { return impl_->relations; }
std::size_t Dictionaries::actor_count() const noexcept { return impl_->actors.size(); }
std::size_t Dictionaries::phrase_count() const noexcept { return impl_->phrase_count; }
std::size_t Dictionaries::pattern_count() const noexcept { return impl_->pattern_count; }
std::size_t Dictionaries::coded_relation_count() const noexcept { return impl_->coded_relations; }

core::Result<std::shared_ptr<const Dictionaries>> Dictionaries::load(std::span<const DictionarySource> user) {
  return load(DictionaryTexts{}, user);
}

core::Result<std::shared_ptr<const Dictionaries>> Dictionaries::load(const DictionaryTexts& texts,
                                                                     std::span<const DictionarySource> user) {
  auto impl = std::make_unique<Impl>();
  auto relation_types = core::parse_relation_types_tsv(embedded_or(texts.relation_types, "relation_types.tsv"));
  if (!relation_types) return relation_types.error();
  impl->relations = core::RelationCatalog(std::move(*relation_types));

  Builder b(*impl);
  add_date_words(impl->vocab);
  if (auto r = b.grammar(embedded_or(texts.grammar, "extract/grammar.tsv")); !r) return r.error();
  if (auto r = b.cameo_codes(embedded_or(texts.code_rules, "extract/code_rules.tsv")); !r) return r.error();
  if (auto r = b.boilerplate(embedded_or(texts.boilerplate, "extract/boilerplate.tsv")); !r) return r.error();
  if (auto r = b.agents(embedded_or(texts.agents, "extract/agents.tsv")); !r) return r.error();
  if (auto r = b.titles(embedded_or(texts.titles, "extract/titles.tsv")); !r) return r.error();
  if (auto r = b.actors("countries.tsv", embedded_or(texts.countries, "actors/countries.tsv"), false, false); !r)
    return r.error();
  if (auto r = b.actors("igos.tsv", embedded_or(texts.igos, "actors/igos.tsv"), false, false); !r) return r.error();
  if (auto r = b.actors("groups.tsv", embedded_or(texts.groups, "actors/groups.tsv"), false, false); !r)
    return r.error();
  if (auto r = b.actors("people.tsv", embedded_or(texts.people, "actors/people.tsv"), true, false); !r)
    return r.error();
  if (auto r = b.actors("extract/people.tsv", embedded_or(texts.extra_people, "extract/people.tsv"), true, false); !r)
    return r.error();
  if (auto r = b.places(embedded_or(texts.places, "extract/places.tsv")); !r) return r.error();
  if (auto r = b.verbs(embedded_or(texts.verbs, "extract/verbs.txt")); !r) return r.error();
  for (const auto& src : user) {
    const auto format = src.format == DictionaryFormat::autodetect ? detect_format(src.content) : src.format;
    auto r = format == DictionaryFormat::tsv ? b.user_tsv(src.name, src.content) : b.petrarch(src.name, src.content);
    if (!r) return r.error();
  }
  b.finish();
  if (impl->gov_agent == 0) return core::invalid_argument("agents.tsv: the GOV agent is not defined");
  return std::shared_ptr<const Dictionaries>(std::make_shared<Dictionaries>(std::move(impl)));
}

}  // namespace geokg::extract
