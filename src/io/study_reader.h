#pragma once
// Reads a sensitivity study file (docs/sensitivity.md) and the scenario it names; every problem
// of both is collected and reported as "file:line:col: key.path = value: rule" (InputError).
#include <string>
#include <vector>

#include "analysis/study.h"
#include "core/error.h"

namespace mppmc::io {

Study read_study(const std::string& path, std::vector<Problem>& warnings);

}  // namespace mppmc::io
