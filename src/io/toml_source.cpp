#include "io/toml_source.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace mppmc::io {

SourceLocation location_of(const toml::node& node, const std::string& fallback_file) {
  const toml::source_region& source = node.source();
  SourceLocation where;
  where.file = source.path ? *source.path : fallback_file;
  where.line = static_cast<int>(source.begin.line);
  where.column = static_cast<int>(source.begin.column);
  return where;
}

std::string number_text(double value) {
  // std::to_chars without a format gives the shortest text that reads back exactly, in fixed
  // or scientific notation, whichever is shorter (e.g. 42950, 0.05, 1e+20).
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string toml_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escape[8];
          std::snprintf(escape, sizeof escape, "\\u%04x", c);
          out += escape;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string value_text(const toml::node& node) {
  std::ostringstream out;
  if (const auto* t = node.as_table()) {
    out << "{ ";
    bool first = true;
    // toml++ keeps keys sorted; put a distribution's family first, where people write it.
    if (const toml::node* dist = t->get("dist")) {
      out << "dist = " << value_text(*dist);
      first = false;
    }
    for (auto&& [key, value] : *t) {
      if (key.str() == "dist") continue;
      if (!first) out << ", ";
      first = false;
      out << key.str() << " = " << value_text(value);
    }
    out << (first ? "}" : " }");
  } else if (const auto* a = node.as_array()) {
    out << '[';
    for (std::size_t i = 0; i < a->size(); ++i) out << (i ? ", " : "") << value_text(*a->get(i));
    out << ']';
  } else if (const auto* s = node.as_string()) {
    out << toml_string(s->get());
  } else if (const auto* i = node.as_integer()) {
    out << i->get();
  } else if (const auto* f = node.as_floating_point()) {
    out << number_text(f->get());
  } else if (const auto* b = node.as_boolean()) {
    out << (b->get() ? "true" : "false");
  } else if (const auto* d = node.as_date()) {
    out << *d;
  } else if (const auto* t = node.as_time()) {
    out << *t;
  } else if (const auto* dt = node.as_date_time()) {
    out << *dt;
  }
  return out.str();
}

std::optional<toml::table> parse_toml_file(const std::string& path, Diagnostics& diagnostics) {
  if (std::filesystem::is_directory(path)) {
    diagnostics.error({path, 0, 0}, "", "", "is a folder, not a TOML file");
    return std::nullopt;
  }
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    // A device or a pipe (/dev/zero) would be read until memory runs out.
    diagnostics.error({path, 0, 0}, "", "", "is not a regular file");
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diagnostics.error({path, 0, 0}, "", "", std::filesystem::exists(path) ? "cannot read the file" : "no such file");
    return std::nullopt;
  }
  // Input files are a few kB; a larger one is not what the user meant to give.
  constexpr std::uintmax_t kMaxBytes = 16u << 20;
  if (std::filesystem::file_size(path, ec) > kMaxBytes) {
    diagnostics.error({path, 0, 0}, "", "", "is over 16 MB, too large for a TOML input file");
    return std::nullopt;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  try {
    return toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    const auto& source = e.source();
    diagnostics.error({path, static_cast<int>(source.begin.line), static_cast<int>(source.begin.column)}, "", "",
                      "TOML syntax error: " + std::string(e.description()));
    return std::nullopt;
  }
}

std::optional<double> read_number(const toml::node& node, const std::string& key_path, const std::string& file,
                                  Diagnostics& diagnostics) {
  double value = 0.0;
  if (const auto* i = node.as_integer())
    value = static_cast<double>(i->get());
  else if (const auto* f = node.as_floating_point())
    value = f->get();
  else {
    diagnostics.error(location_of(node, file), key_path, value_text(node), "must be a number");
    return std::nullopt;
  }
  if (!std::isfinite(value)) {
    diagnostics.error(location_of(node, file), key_path, value_text(node), "must be a finite number");
    return std::nullopt;
  }
  return value;
}

std::optional<std::int64_t> read_integer(const toml::node& node, const std::string& key_path, const std::string& file,
                                         Diagnostics& diagnostics) {
  if (const auto* i = node.as_integer()) return i->get();
  diagnostics.error(location_of(node, file), key_path, value_text(node), "must be an integer");
  return std::nullopt;
}

std::optional<std::string> read_string(const toml::node& node, const std::string& key_path, const std::string& file,
                                       Diagnostics& diagnostics) {
  if (const auto* s = node.as_string()) return s->get();
  diagnostics.error(location_of(node, file), key_path, value_text(node), "must be a string");
  return std::nullopt;
}

std::string range_text(double min, double max, bool min_exclusive) {
  if (std::isinf(max)) return std::string(min_exclusive ? "> " : ">= ") + number_text(min);
  return std::string(min_exclusive ? "(" : "[") + number_text(min) + ", " + number_text(max) + "]";
}

}  // namespace mppmc::io
