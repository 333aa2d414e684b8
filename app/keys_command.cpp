// `geokg keys create|list|revoke`: API keys in the database's api_keys table.
#include "app/commands.hpp"
#include "app/options.hpp"
#include "engine/key_ring.hpp"

#include <charconv>
#include <iomanip>
#include <ostream>

namespace geokg::app {

namespace {

constexpr const char* usage_line =
    "create --db FILE --role read|write|admin [--name NAME]\n"
    "       geokg keys list --db FILE [--all]\n"
    "       geokg keys revoke --db FILE ID";

}  // namespace

int keys_command(const std::vector<std::string>& args, std::istream&, std::ostream& out, std::ostream& err) {
  po::options_description desc("options (each also read from GEOKG_<NAME>, e.g. GEOKG_DB)");
  desc.add_options()
      ("help,h", "show this help")
      ("action", po::value<std::string>(), "create, list or revoke")
      ("id", po::value<std::string>(), "the id of the key to revoke (from geokg keys list)")
      ("db", po::value<std::string>()->default_value("geokg.db"), "SQLite database file")
      ("role", po::value<std::string>(), "create: read, write or admin")
      ("name", po::value<std::string>()->default_value(""), "create: a label for the key (who or what uses it)")
      ("all", po::bool_switch(), "list: revoked keys too");
  po::positional_options_description positional;
  positional.add("action", 1).add("id", 1);
  po::variables_map vm;
  int code = 0;
  if (!parse_options("keys", usage_line, desc, &positional, args, vm, out, err, code)) return code;
  const auto usage = [&](const std::string& message) {
    err << "geokg keys: " << message << "\nusage: geokg keys " << usage_line << '\n';
    return 2;
  };
  if (!vm.count("action")) return usage("say create, list or revoke");
  const auto action = vm["action"].as<std::string>();
  const auto db = vm["db"].as<std::string>();
  if (action != "create" && action != "list" && action != "revoke") return usage("unknown action '" + action + "'");
  if (action != "revoke" && vm.count("id")) return usage("unexpected argument '" + vm["id"].as<std::string>() + "'");

  std::optional<core::Role> role;
  std::int64_t id = 0;
  if (action == "create") {
    if (!vm.count("role")) return usage("create needs --role read, write or admin");
    role = core::parse_role(vm["role"].as<std::string>());
    if (!role) return usage("--role must be read, write or admin, got '" + vm["role"].as<std::string>() + "'");
    if (vm["name"].as<std::string>().size() > 200) return usage("--name is longer than 200 characters");
  } else if (action == "revoke") {
    if (!vm.count("id")) return usage("revoke needs the id of a key (see geokg keys list)");
    const auto& text = vm["id"].as<std::string>();
    const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc{} || p != text.data() + text.size() || id < 1) return usage("'" + text + "' is not a key id");
  }

  auto ring = engine::KeyRing::open(db);
  if (!ring) {
    err << "geokg keys: cannot open " << db << ": " << ring.error().detail << '\n';
    return 1;
  }
  if (action == "create") {
    auto key = (*ring)->create(*role, vm["name"].as<std::string>());
    if (!key) {
      err << "geokg keys: " << key.error().detail << '\n';
      return 1;
    }
    // The secret alone on stdout (KEY=$(geokg keys create ...)); the rest on stderr.
    out << key->secret << '\n';
    err << "created key " << key->key.id << " with the role " << core::to_string(key->key.role)
        << "; it is shown only this once (only its SHA-256 is stored). Send it as: Authorization: Bearer <key>\n";
    return 0;
  }
  if (action == "revoke") {
    auto key = (*ring)->revoke(id);
    if (!key) {
      err << "geokg keys: " << key.error().detail << '\n';
      return 1;
    }
    err << "revoked key " << key->id << " (" << key->hint << "…, " << core::to_string(key->role)
        << "); running servers refuse it within a second\n";
    return 0;
  }
  auto keys = (*ring)->list(vm["all"].as<bool>());
  if (!keys) {
    err << "geokg keys: " << keys.error().detail << '\n';
    return 1;
  }
  out << "id\trole\tkey\tcreated_at\trevoked_at\tname\n";
  for (const auto& k : *keys) {
    out << k.id << '\t' << core::to_string(k.role) << '\t' << k.hint << "…\t" << k.created_at << '\t'
        << k.revoked_at.value_or("-") << '\t' << k.name << '\n';
  }
  return 0;
}

}  // namespace geokg::app
