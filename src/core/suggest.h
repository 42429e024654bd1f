#pragma once
// "Did you mean": the nearest of some names to a word that is none of them, for messages about
// unknown keys, sections, series, subcommands and options.
#include <string>
#include <string_view>
#include <vector>

namespace mppmc {

//! The closest of `candidates` to `word` when it is a plausible slip (a truncation, or at most
//! a third of the word changed), else empty.
std::string suggest(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace mppmc
