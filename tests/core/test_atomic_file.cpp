// Outputs appear whole or not at all (core/atomic_file.h, core/binary_io.h write_atomically):
// on a full disk (a file-size limit) or a refused verification the earlier file is untouched
// and no temporary is left.
#include <fstream>
#include <sstream>

#include "core/atomic_file.h"
#include "core/binary_io.h"
#include "core/error.h"
#include "support.h"

using namespace mppmc;
using mppmc::testing::FileSizeLimit;
using mppmc::testing::TemporaryFolder;

namespace {
std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}
}  // namespace

TEST_CASE("atomic file: the temporary name is the target's plus this process's id", "[unit]") {
  CHECK(temporary_name("out/r.h5") == "out/r.h5.tmp-" + std::to_string(::getpid()));
}

TEST_CASE("atomic file: text replaces the target whole", "[unit]") {
  TemporaryFolder folder("mppmc-atomic-text");
  const std::string target = folder / "calibrated.toml";
  write_text_atomically(target, "first\n");
  write_text_atomically(target, "second version\n");
  CHECK(read_text(target) == "second version\n");
  CHECK(folder.files() == std::vector<std::string>{"calibrated.toml"});
}

TEST_CASE("atomic file: a refused verification keeps the earlier file and leaves nothing", "[unit]") {
  TemporaryFolder folder("mppmc-atomic-verify");
  const std::string target = folder / "calibrated.toml";
  write_text_atomically(target, "good\n");
  std::string seen;
  CHECK_THROWS_AS(write_text_atomically(target, "new\n",
                                        [&](const std::string& temporary) {
                                          seen = read_text(temporary);  // written and readable
                                          throw RuntimeError("does not read back");
                                        }),
                  RuntimeError);
  CHECK(seen == "new\n");
  CHECK(read_text(target) == "good\n");
  CHECK(folder.files() == std::vector<std::string>{"calibrated.toml"});
}

TEST_CASE("atomic file: a full disk part way keeps the earlier file and leaves nothing", "[unit]") {
  TemporaryFolder folder("mppmc-atomic-full");
  const std::string target = folder / "table.csv";
  write_text_atomically(target, "good\n");
  const std::string big(1 << 20, 'x');
  for (rlim_t limit : {rlim_t{0}, rlim_t{1000}, rlim_t{(1 << 20) - 1}}) {
    INFO("limit " << limit);
    {
      FileSizeLimit full(limit);
      CHECK_THROWS_AS(write_text_atomically(target, big), RuntimeError);
    }
    CHECK(read_text(target) == "good\n");
    CHECK(folder.files() == std::vector<std::string>{"table.csv"});
  }
}

TEST_CASE("atomic file: a checkpoint that cannot be written keeps the earlier one and leaves nothing", "[unit]") {
  TemporaryFolder folder("mppmc-atomic-checkpoint");
  const std::string target = folder / "r.h5.ckpt";
  const std::vector<double> small(10, 1.5), large(1 << 18, 2.5);  // 80 B and 2 MiB
  write_atomically(target, [&](std::ostream& out) { write_values(out, small); });
  REQUIRE(has_valid_checksum(target));
  const std::string earlier = read_text(target);
  for (rlim_t limit : {rlim_t{0}, rlim_t{4096}, rlim_t{(1 << 21) - 1}, rlim_t{(1 << 21) + 7}}) {
    INFO("limit " << limit);  // the last one lets the data through but not its checksum
    {
      FileSizeLimit full(limit);
      CHECK_THROWS_AS(write_atomically(target, [&](std::ostream& out) { write_values(out, large); }), RuntimeError);
    }
    CHECK(read_text(target) == earlier);
    CHECK(has_valid_checksum(target));
    CHECK(folder.files() == std::vector<std::string>{"r.h5.ckpt"});
  }
  // A body that throws (an interrupted run) leaves nothing either.
  CHECK_THROWS_AS(write_atomically(target, [&](std::ostream&) { throw RuntimeError("stop"); }), RuntimeError);
  CHECK(folder.files() == std::vector<std::string>{"r.h5.ckpt"});
}
