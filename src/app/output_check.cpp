#include "app/output_check.h"

#include <filesystem>

namespace mppmc::app {

namespace fs = std::filesystem;

void check_new_output(const std::string& output, bool overwrite, const std::vector<std::string>& inputs,
                      const std::string& example, std::vector<Problem>& problems) {
  const fs::path path(output);
  std::error_code ec;
  if (fs::is_directory(path, ec) || !path.has_filename()) {
    problems.push_back(Problem::general("the output " + output + " is a folder; give a file name such as " +
                                        (path / example).lexically_normal().string()));
    return;
  }
  for (fs::path parent = path.parent_path(); !parent.empty() && parent != parent.parent_path();
       parent = parent.parent_path())
    if (fs::exists(parent, ec) && !fs::is_directory(parent, ec)) {
      problems.push_back(Problem::general("the output " + output + " goes through " + parent.string() +
                                          ", which is a file, not a folder"));
      return;
    }
  for (const std::string& input : inputs)
    if (!input.empty() && fs::exists(path, ec) && fs::equivalent(path, input, ec)) {
      problems.push_back(
          Problem::general("the output " + output + " is the input " + input + "; writing there would destroy it"));
      return;
    }
  if (fs::exists(path, ec) && !overwrite)
    problems.push_back(
        Problem::general("the output " + output + " exists; pass --overwrite to replace it, or -o another file"));
}

Problem warning(SourceLocation where, std::string key_path, std::string value, std::string rule) {
  Problem p;
  p.where = std::move(where);
  p.key_path = std::move(key_path);
  p.value = std::move(value);
  p.rule = std::move(rule);
  p.warning = true;
  return p;
}

}  // namespace mppmc::app
