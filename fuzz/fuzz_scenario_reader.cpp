// libFuzzer target for the scenario reader (docs/testing.md, "Fuzzing"). Its contract, checked
// on every input: a file is either read into a Scenario or refused with an InputError (any other
// exception, a crash or a sanitizer report is a bug), and a scenario that is read can be
// simulated — every value the month step is given stays finite (docs/scenario-format.md,
// "Numbers mppmc can compute"), so a RuntimeError from a short run of it is a bug too.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "engine/simulation.h"
#include "io/scenario_reader.h"

namespace {

// The reader takes a path (and resolves `extends` against its folder): each input is written
// to the same file in a folder of this process's own.
const std::string& input_path() {
  static const std::string path = [] {
    std::string folder = (std::filesystem::temp_directory_path() / "mppmc-fuzz-XXXXXX").string();
    if (!::mkdtemp(folder.data())) std::abort();
    return folder + "/scenario.toml";
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  {
    std::ofstream out(input_path(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  mppmc::Scenario scenario;
  try {
    std::vector<mppmc::Problem> warnings;
    scenario = mppmc::io::read_scenario(input_path(), warnings);
  } catch (const mppmc::InputError&) {
    return 0;  // refused, as bad input must be
  }
  // Accepted: two paths over the scenario's horizon must run (a non-finite value throws).
  mppmc::SimulationSettings settings;
  settings.paths = 2;
  settings.threads = 1;
  (void)mppmc::simulate(scenario, settings);
  return 0;
}
