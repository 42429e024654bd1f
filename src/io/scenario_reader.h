#pragma once
// Reads a scenario file (docs/scenario-format.md, docs/model-spec.md) into a validated
// Scenario. `[scenario] extends = "base.toml"` (relative to the extending file) is resolved
// first: values replace the base's value whole, sections merge, `[[measure]]` and
// `[[correlation]]` entries are appended. Every problem of every file is collected and
// reported together as "file:line:col: key.path = value: rule".
#include <string>
#include <vector>

#include "core/error.h"
#include "model/scenario.h"

namespace mppmc::io {

//! Reads and validates `path`. Throws InputError listing every problem; warnings (inputs that
//! are valid but suspicious) are appended to `warnings`.
Scenario read_scenario(const std::string& path, std::vector<Problem>& warnings);

}  // namespace mppmc::io
