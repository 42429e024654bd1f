// The HDF5 layer (io/hdf5_file.h) under faults: a failure in any thread is our exception and
// prints nothing; a file that cannot be written fails at the latest at its close and leaves the
// library usable; shapes are checked before reading; the checksum catches damage.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <thread>
#include <vector>

#include <hdf5_hl.h>

#include "core/error.h"
#include "io/hdf5_file.h"
#include "support.h"

using namespace mppmc;
using mppmc::testing::FileSizeLimit;
using mppmc::testing::TemporaryFolder;
namespace h5 = mppmc::io::h5;

namespace {

// Runs `f` with stderr (fd 2) going to a file; returns what was written there.
template <typename F>
std::string captured_stderr(const std::string& path, F f) {
  std::fflush(stderr);
  const int saved = ::dup(2);
  std::FILE* sink = std::fopen(path.c_str(), "w");
  ::dup2(::fileno(sink), 2);
  f();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  std::fclose(sink);
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A finished file with one dataset "values" of shape [2, 3].
void write_small(const std::string& path) {
  h5::Handle file = h5::create_file(path);
  const double values[6] = {1, 2, 3, 4, 5, 6};
  h5::write_dataset(file.id(), "values", {2, 3}, values);
  h5::write_attribute(file.id(), "schema", std::string("test"));
  h5::finish_file(file, path);
}

}  // namespace

TEST_CASE("hdf5: a failure in a worker thread is an exception and prints nothing", "[unit][io]") {
  TemporaryFolder folder("mppmc-hdf5-thread");
  write_small(folder / "f.h5");
  std::string message;
  const std::string printed = captured_stderr(folder / "stderr.txt", [&] {
    std::thread worker([&] {
      std::optional<h5::Handle> file = h5::open_file(folder / "f.h5");
      try {
        h5::open_group(file->id(), "no/such/group");
      } catch (const RuntimeError& e) {
        message = e.what();
      }
    });
    worker.join();
  });
  CHECK(message.find("no/such/group") != std::string::npos);
  CHECK(printed.empty());
}

TEST_CASE("hdf5: a file that cannot be written fails by its close, and HDF5 stays usable", "[unit][io]") {
  TemporaryFolder folder("mppmc-hdf5-full");
  const std::vector<double> data(1 << 17, 0.25);  // 1 MiB
  for (rlim_t limit : {rlim_t{0}, rlim_t{2048}, rlim_t{600000}}) {
    INFO("limit " << limit);
    const std::string path = folder / ("full-" + std::to_string(limit) + ".h5");
    bool failed = false;
    {
      FileSizeLimit full(limit);
      try {
        h5::Handle file = h5::create_file(path);
        h5::write_dataset(file.id(), "data", {data.size()}, data.data());
        h5::finish_file(file, path);
      } catch (const RuntimeError&) {
        failed = true;
      }
    }
    CHECK(failed);
    std::remove(path.c_str());
    write_small(folder / "after.h5");  // the library still works after a failed close
    CHECK(h5::open_file(folder / "after.h5").has_value());
  }
}

TEST_CASE("hdf5: a dataset of another shape is refused before anything is read", "[unit][io]") {
  TemporaryFolder folder("mppmc-hdf5-shape");
  write_small(folder / "f.h5");
  std::optional<h5::Handle> file = h5::open_file(folder / "f.h5");
  REQUIRE(file);
  CHECK(h5::read_doubles(file->id(), "values", {2, 3}) == std::vector<double>{1, 2, 3, 4, 5, 6});
  CHECK_THROWS_WITH(h5::read_doubles(file->id(), "values", {3, 2}),
                    Catch::Contains("/values has the shape [2, 3], expected [3, 2]"));
  CHECK_THROWS_WITH(h5::read_doubles(file->id(), "values"), Catch::Contains("expected [n]"));
  CHECK_THROWS_AS(h5::check_dataset(file->id(), "values", {2, 3}, false), RuntimeError);  // not strings
  CHECK_THROWS_AS(h5::read_int_attribute(file->id(), "schema"), RuntimeError);            // a string
}

TEST_CASE("hdf5: the checksum in the user block catches any changed byte", "[unit][io]") {
  TemporaryFolder folder("mppmc-hdf5-checksum");
  const std::string path = folder / "f.h5";
  write_small(path);
  std::ifstream in(path, std::ios::binary);
  const std::string good(std::istreambuf_iterator<char>(in), {});
  REQUIRE(good.compare(0, 17, "mppmc-checksum-1 ") == 0);
  for (std::size_t at : {std::size_t{20}, std::size_t{512}, good.size() / 2, good.size() - 1}) {
    std::string damaged = good;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x01);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << damaged;
    INFO("byte " << at);
    CHECK_THROWS_AS(h5::open_file(path), RuntimeError);
  }
  std::ofstream(path, std::ios::binary | std::ios::trunc) << good.substr(0, good.size() - 100);
  CHECK_THROWS_WITH(h5::open_file(path), Catch::Contains("truncated"));
}

TEST_CASE("hdf5: a labelled dataset names its dimensions through scales, linked where it is", "[unit][io]") {
  TemporaryFolder folder("mppmc-hdf5-dims");
  const std::string path = folder / "f.h5";
  {
    h5::Handle file = h5::create_file(path);
    h5::write_dataset(file.id(), "year", std::vector<std::int32_t>{2025, 2026, 2027});
    h5::make_scale(file.id(), "year");
    h5::create_dimension(file.id(), "path", 2);
    h5::Handle group = h5::create_group(file.id(), "annual");
    h5::link_scale(group.id(), "/year", "year");
    const double values[6] = {1, 2, 3, 4, 5, 6};
    h5::write_dataset(group.id(), "values", {2, 3}, values);
    h5::label_dataset(group.id(), "values", {"persons/year", "values by path and year", {"/path", "year"}});
    h5::write_dataset(group.id(), "other", {2, 3}, values);
    CHECK_THROWS_WITH(h5::label_dataset(group.id(), "other", {"1", "one name for two axes", {"year"}}),
                      Catch::Contains("has 2 axes, given 1 dimensions"));
    group.close();
    h5::finish_file(file, path);
  }
  std::optional<h5::Handle> file = h5::open_file(path);
  REQUIRE(file);
  CHECK(h5::is_dimension_scale(file->id(), "year"));
  CHECK(h5::is_dimension_scale(file->id(), "annual/year"));  // the link is the scale itself
  CHECK(h5::is_dimension_scale(file->id(), "path"));
  CHECK_FALSE(h5::is_dimension_scale(file->id(), "annual/values"));
  h5::Handle values(H5Dopen2(file->id(), "annual/values", H5P_DEFAULT), H5Dclose);
  h5::Handle year(H5Dopen2(file->id(), "year", H5P_DEFAULT), H5Dclose);
  h5::Handle paths(H5Dopen2(file->id(), "path", H5P_DEFAULT), H5Dclose);
  CHECK(h5::read_string_attribute(values.id(), "units") == "persons/year");
  CHECK(h5::read_string_attribute(values.id(), "long_name") == "values by path and year");
  CHECK(H5DSis_attached(values.id(), paths.id(), 0) > 0);
  CHECK(H5DSis_attached(values.id(), year.id(), 1) > 0);
  CHECK(H5DSis_attached(values.id(), year.id(), 0) == 0);
}

TEST_CASE("hdf5: a chunk filtered here is stored byte for byte as HDF5's Fletcher32 filter stores it", "[unit][io]") {
  // Two datasets of 5,000 x 32 values (chunks of 2,048 rows: two whole ones and a padded last
  // one): one written through HDF5's filter pipeline (write_rows), one chunk by chunk with
  // filter_chunk + write_filtered_chunk. HDF5's own stored bytes are the oracle.
  TemporaryFolder folder("mppmc-hdf5-chunk");
  const std::string path = folder / "f.h5";
  const hsize_t rows = 5000, cols = 32, chunk = h5::chunk_rows(rows, cols);
  REQUIRE(chunk == 2048);
  std::vector<double> values(rows * cols);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = std::sin(0.001 * static_cast<double>(i)) * 1e4;
  h5::Handle file = h5::create_file(path);
  h5::create_matrix(file.id(), "pipeline", rows, cols);
  h5::create_matrix(file.id(), "direct", rows, cols);
  h5::write_rows(file.id(), "pipeline", 0, rows, cols, values.data());
  {
    h5::Handle set = h5::open_matrix(file.id(), "direct", 0);
    std::vector<unsigned char> stored;
    for (hsize_t start = 0; start < rows; start += chunk) {
      std::vector<double> part(chunk * cols, 0.0);
      const hsize_t length = std::min(chunk, rows - start);
      std::copy(values.begin() + static_cast<std::ptrdiff_t>(start * cols),
                values.begin() + static_cast<std::ptrdiff_t>((start + length) * cols), part.begin());
      h5::filter_chunk(part, stored);
      h5::write_filtered_chunk(set.id(), start, stored);
    }
    set.close();
  }
  // The raw stored chunks: the same bytes wherever the values are (the last chunk's padding
  // past the dataset is HDF5's to fill), and each one's checksum verified by reading back.
  auto raw_chunk = [&](const char* name, hsize_t start) {
    h5::Handle set(H5Dopen2(file.id(), name, H5P_DEFAULT), H5Dclose);
    const hsize_t offset[2] = {start, 0};
    hsize_t bytes = 0;
    REQUIRE(H5Dget_chunk_storage_size(set.id(), offset, &bytes) >= 0);
    std::vector<unsigned char> out(bytes);
    std::uint32_t mask = 0;
    REQUIRE(H5Dread_chunk(set.id(), H5P_DEFAULT, offset, &mask, out.data()) >= 0);
    CHECK(mask == 0);
    return out;
  };
  for (hsize_t start = 0; start + chunk <= rows; start += chunk) {
    INFO("chunk at row " << start);
    CHECK(raw_chunk("pipeline", start) == raw_chunk("direct", start));
  }
  const std::vector<unsigned char> last = raw_chunk("direct", 4096);
  CHECK(last.size() == chunk * cols * sizeof(double) + 4);
  std::vector<double> back(rows * cols);
  h5::Handle set(H5Dopen2(file.id(), "direct", H5P_DEFAULT), H5Dclose);
  REQUIRE(H5Dread(set.id(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, back.data()) >= 0);
  CHECK(back == values);
}

TEST_CASE("hdf5: fletcher32 known answers", "[unit][io][kat]") {
  // By hand from the definition (16-bit big-endian words; sum1 = sum of words, sum2 = sum of
  // the running sum1, both mod 65535; an odd last byte is a word's high byte):
  // "abcd" = 0x6162, 0x6364: sum1 = 0xC4C6, sum2 = 0x6162 + 0xC4C6 = 0x12628 -> 0x2629.
  const unsigned char abcd[] = {'a', 'b', 'c', 'd'};
  CHECK(h5::fletcher32(abcd, 4) == 0x2629C4C6u);
  // "abcde": one more word 0x6500: sum1 = 0xC4C6 + 0x6500 = 0x129C6 -> 0x29C7; sum2 = 0x2629 + 0x29C7 = 0x4FF0.
  const unsigned char abcde[] = {'a', 'b', 'c', 'd', 'e'};
  CHECK(h5::fletcher32(abcde, 5) == 0x4FF029C7u);
}
