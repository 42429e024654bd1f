#pragma once
// Helpers shared by the TOML readers (scenarios, run configs): where a node came from, how it
// was written, reading numbers with a located complaint, and "did you mean" suggestions.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "core/error.h"
#include "core/suggest.h"

namespace mppmc::io {

//! The file, line and column a node was read from (`fallback_file` when toml++ has none).
SourceLocation location_of(const toml::node& node, const std::string& fallback_file);
//! A TOML basic string with its quotes and escapes.
std::string toml_string(std::string_view text);
//! The node as compact TOML text, e.g. 1.5, "2025-13" or { dist = "uniform", low = 0.5 }.
std::string value_text(const toml::node& node);

//! Parses a TOML file; a syntax error or unreadable file becomes a located problem (nullopt).
std::optional<toml::table> parse_toml_file(const std::string& path, Diagnostics& diagnostics);

//! A finite number (TOML integer or float) or nullopt with an error recorded.
std::optional<double> read_number(const toml::node& node, const std::string& key_path, const std::string& file,
                                  Diagnostics& diagnostics);
//! A TOML integer or nullopt with an error recorded.
std::optional<std::int64_t> read_integer(const toml::node& node, const std::string& key_path, const std::string& file,
                                         Diagnostics& diagnostics);
//! A TOML string or nullopt with an error recorded.
std::optional<std::string> read_string(const toml::node& node, const std::string& key_path, const std::string& file,
                                       Diagnostics& diagnostics);

//! "[0, 1]", "(0, 1]", ">= 0", ">= 1" for messages.
std::string range_text(double min, double max, bool min_exclusive);
//! A number in the shortest form that reads back exactly.
std::string number_text(double value);

}  // namespace mppmc::io
