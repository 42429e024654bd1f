#pragma once
// The checks every command makes on its output file name before any work (nothing is written
// when one fails; an existing file is left untouched), and warnings for the jobs to report.
#include <string>
#include <vector>

#include "core/error.h"

namespace mppmc::app {

//! Appends a problem when `output` is a folder, goes through a file, is one of `inputs`, or
//! exists and `overwrite` is false. `example`: a file name to suggest for a folder.
void check_new_output(const std::string& output, bool overwrite, const std::vector<std::string>& inputs,
                      const std::string& example, std::vector<Problem>& problems);

//! Runs read(); the problems of an InputError it throws are added to `problems` instead, so that
//! a job reports every problem of every file at once.
template <typename Read>
void collect_problems(std::vector<Problem>& problems, Read read) {
  try {
    read();
  } catch (const InputError& e) {
    problems.insert(problems.end(), e.problems().begin(), e.problems().end());
  }
}

//! A warning (reported, does not stop the work) at `where`.
Problem warning(SourceLocation where, std::string key_path, std::string value, std::string rule);

}  // namespace mppmc::app
