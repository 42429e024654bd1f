#include "io/hdf5_file.h"

#include <fcntl.h>
#include <hdf5_hl.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/binary_io.h"
#include "core/error.h"

namespace mppmc::io::h5 {

namespace {

// Before the first HDF5 call of the process: no library clean-up at exit. HDF5 1.10 frees a
// file whose close fails in its final flush (a full disk: H5F__dest "pushes the error but keeps
// going") yet keeps the file's id, because the id's free callback reported failure; at exit
// H5_term_library closes that id again, on freed memory, and the process dies with SIGSEGV
// (exit 139) after mppmc has already reported the error. mppmc closes every object itself,
// exactly once (Handle), so the clean-up at exit has nothing left to do.
//
// And per thread: HDF5 (built thread-safe, as Debian's is) keeps its error-printing setting
// per thread; the input rows of a run are written from worker threads, which would print
// HDF5's error stacks to stderr. Every entry point switches printing off for its thread; our
// own exception says what failed.
void quiet() {
  static const bool process = [] {
    H5dont_atexit();
    return true;
  }();
  thread_local const bool thread = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)process;
  (void)thread;
}

hid_t check(hid_t id, const std::string& what) {
  if (id < 0) throw RuntimeError("HDF5: cannot " + what);
  return id;
}

void check_status(herr_t status, const std::string& what) {
  if (status < 0) throw RuntimeError("HDF5: cannot " + what);
}

// The user block that holds the checksum (docs/hdf5-schema.md, "Checksums"): HDF5 skips it,
// and its size must be a power of two >= 512.
constexpr std::uint64_t kUserBlock = 512;
constexpr char kChecksumTag[] = "mppmc-checksum-1 ";

// Creation properties without timestamps: byte-identical files for identical content.
Handle untimed(hid_t class_id) {
  Handle plist(check(H5Pcreate(class_id), "create a property list"), H5Pclose);
  check_status(H5Pset_obj_track_times(plist.id(), false), "switch off object timestamps");
  return plist;
}

}  // namespace

hsize_t chunk_rows(hsize_t rows, hsize_t cols) {
  return std::min<hsize_t>(rows, std::max<hsize_t>(1, 65536 / std::max<hsize_t>(cols, 1)));
}

namespace {

// Dataset creation properties: chunked along the first dimension (a chunk holds at most 64 Ki
// elements, so that the per-chunk checksum stays local and a chunk fits HDF5's 1 MiB chunk
// cache), with the Fletcher32 checksum filter after the compression filters (applied in order,
// so the checksum covers the bytes as stored). An empty dataset has nothing to check and stays
// contiguous (a chunk cannot have size 0), and so does one of variable-length strings: HDF5
// filters no variable-length type (the file checksum covers them).
Handle checked_layout(const std::vector<hsize_t>& dims, const std::string& name, hid_t type, bool compress = false) {
  Handle dcpl = untimed(H5P_DATASET_CREATE);
  if (H5Tis_variable_str(type) > 0) return dcpl;
  hsize_t inner = 1, total = 1;
  for (std::size_t d = 0; d < dims.size(); ++d) {
    total *= dims[d];
    if (d > 0) inner *= dims[d];
  }
  if (total == 0 || dims.empty()) return dcpl;
  std::vector<hsize_t> chunk = dims;
  chunk[0] = chunk_rows(dims[0], inner);
  check_status(H5Pset_chunk(dcpl.id(), static_cast<int>(chunk.size()), chunk.data()), "set chunking for " + name);
  if (compress) {
    check_status(H5Pset_shuffle(dcpl.id()), "set shuffle for " + name);
    check_status(H5Pset_deflate(dcpl.id(), 4), "set compression for " + name);
  }
  check_status(H5Pset_fletcher32(dcpl.id()), "set the checksum filter for " + name);
  return dcpl;
}

Handle string_type() {
  Handle type(check(H5Tcopy(H5T_C_S1), "create a string type"), H5Tclose);
  check_status(H5Tset_size(type.id(), H5T_VARIABLE), "make a variable-length string type");
  check_status(H5Tset_cset(type.id(), H5T_CSET_UTF8), "make a UTF-8 string type");
  return type;
}

Handle scalar_space() {
  return Handle(check(H5Screate(H5S_SCALAR), "create a dataspace"), H5Sclose);
}

Handle simple_space(const std::vector<hsize_t>& dims) {
  return Handle(check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), "create a dataspace"),
                H5Sclose);
}

void write_attribute_raw(hid_t object, const std::string& name, hid_t file_type, hid_t mem_type, const void* value) {
  quiet();
  Handle space = scalar_space();
  Handle attr(check(H5Acreate2(object, name.c_str(), file_type, space.id(), H5P_DEFAULT, H5P_DEFAULT),
                    "create attribute " + name),
              H5Aclose, "attribute " + name);
  check_status(H5Awrite(attr.id(), mem_type, value), "write attribute " + name);
  attr.close();
}

// Creates dataset `name` of `type` and shape `dims`, writes `data` (may be null when empty)
// and closes it, checking the close: the data is only known to be in the file then.
void create_and_write(hid_t parent, const std::string& name, hid_t file_type, hid_t mem_type,
                      const std::vector<hsize_t>& dims, const void* data, bool compress = false) {
  quiet();
  Handle space = simple_space(dims);
  Handle dcpl = checked_layout(dims, name, file_type, compress);
  Handle set(check(H5Dcreate2(parent, name.c_str(), file_type, space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
                   "create dataset " + name),
             H5Dclose, "dataset " + name);
  hsize_t count = 1;
  for (hsize_t d : dims) count *= d;
  if (count > 0) {
    // A type conversion (strings) runs through a buffer of the transfer's size, 1 MiB by default,
    // and a zero-filled background buffer as large: for the few labels of a scale or an input
    // list that was most of the time to create a results file (1,000 paths: 30 of 130 ms).
    Handle transfer(check(H5Pcreate(H5P_DATASET_XFER), "create a property list"), H5Pclose);
    const hsize_t bytes =
        std::max<hsize_t>(count, 16) * std::max<std::size_t>(H5Tget_size(file_type), H5Tget_size(mem_type));
    check_status(H5Pset_buffer(transfer.id(), std::min<hsize_t>(bytes, hsize_t{1} << 20), nullptr, nullptr),
                 "set the conversion buffer for " + name);
    check_status(H5Dwrite(set.id(), mem_type, H5S_ALL, H5S_ALL, transfer.id(), data), "write dataset " + name);
  }
  set.close();
}

// "/annual/total_inflow/band": where `name` is under `parent` (`parent` itself for an empty
// name), for messages.
std::string path_of(hid_t parent, const std::string& name) {
  char buffer[512] = "";
  const ssize_t n = H5Iget_name(parent, buffer, sizeof buffer);
  std::string path =
      n > 0 ? std::string(buffer, static_cast<std::size_t>(std::min<ssize_t>(n, sizeof buffer - 1))) : "";
  if (name.empty()) return path.empty() ? "/" : path;
  if (path.empty() || path.back() != '/') path += '/';
  return path + name;
}

// An attribute to be read into one value: it must hold exactly one element.
Handle open_scalar_attribute(hid_t object, const std::string& name) {
  quiet();
  const std::string where = "attribute " + name + " of " + path_of(object, "");
  Handle attr(check(H5Aopen(object, name.c_str(), H5P_DEFAULT), "open " + where), H5Aclose);
  Handle space(check(H5Aget_space(attr.id()), "read the dataspace of " + where), H5Sclose);
  const hssize_t count = H5Sget_simple_extent_npoints(space.id());
  if (count != 1) throw RuntimeError("HDF5: " + where + " holds " + std::to_string(count) + " values, not one");
  return attr;
}

std::vector<hsize_t> shape_of(hid_t dataset, const std::string& name) {
  Handle space(check(H5Dget_space(dataset), "read the dataspace of " + name), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.id());
  if (rank < 0) throw RuntimeError("HDF5: cannot read the shape of " + name);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0 && H5Sget_simple_extent_dims(space.id(), dims.data(), nullptr) < 0)
    throw RuntimeError("HDF5: cannot read the shape of " + name);
  return dims;
}

std::string shape_text(const std::vector<hsize_t>& dims) {
  std::string text = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) text += (i ? ", " : "") + std::to_string(dims[i]);
  return text + "]";
}

// Opens dataset `name` and checks its shape: exactly `shape`, or (empty `shape`) 1-D of at
// most kMaxAxisLength. Returns the dataset and its element count.
std::pair<Handle, std::size_t> open_shaped(hid_t parent, const std::string& name, const std::vector<hsize_t>& shape) {
  quiet();
  Handle set(check(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "open dataset " + path_of(parent, name)), H5Dclose);
  const std::vector<hsize_t> dims = shape_of(set.id(), path_of(parent, name));
  if (shape.empty() ? dims.size() != 1 || dims[0] > kMaxAxisLength : dims != shape)
    throw RuntimeError("dataset " + path_of(parent, name) + " has the shape " + shape_text(dims) + ", expected " +
                       (shape.empty() ? std::string("[n], a list") : shape_text(shape)));
  std::size_t count = 1;
  for (hsize_t d : dims) count *= static_cast<std::size_t>(d);
  return {std::move(set), count};
}

[[noreturn]] void io_failure(const std::string& what, const std::string& path) {
  throw RuntimeError("cannot " + what + " " + path + ": " + std::strerror(errno));
}

// The first kUserBlock bytes of `path` (fewer for a shorter file).
std::string user_block(const std::string& path) {
  std::string block(kUserBlock, '\0');
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  const ssize_t n = ::pread(fd, block.data(), block.size(), 0);
  ::close(fd);
  block.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return block;
}

// Why `path`'s checksum (in its user block) does not match its contents; nullopt when it
// does, or when the file carries no mppmc checksum.
std::optional<std::string> checksum_problem(const std::string& path) {
  const std::string block = user_block(path);
  if (block.compare(0, sizeof kChecksumTag - 1, kChecksumTag) != 0) return std::nullopt;
  std::uint64_t stored = 0, bytes = 0;
  if (std::sscanf(block.c_str() + sizeof kChecksumTag - 1, "%16" SCNx64 " %" SCNu64, &stored, &bytes) != 2)
    return "its checksum record is damaged";
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  if (ec || size != kUserBlock + bytes)
    return "it is " + std::to_string(size) + " bytes long, but was written with " + std::to_string(kUserBlock + bytes) +
           " (truncated or extended)";
  bool ok = false;
  if (file_checksum(path, bytes, ok, kUserBlock) != stored || !ok)
    return "its contents do not match the checksum it was written with";
  return std::nullopt;
}

}  // namespace

Handle::Handle(hid_t id, herr_t (*close)(hid_t), std::string name) : id_(id), close_(close), name_(std::move(name)) {}

Handle::Handle(Handle&& other) noexcept : id_(other.id_), close_(other.close_), name_(std::move(other.name_)) {
  other.id_ = H5I_INVALID_HID;
}

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    if (id_ >= 0 && close_) close_(id_);
    id_ = other.id_;
    close_ = other.close_;
    name_ = std::move(other.name_);
    other.id_ = H5I_INVALID_HID;
  }
  return *this;
}

Handle::~Handle() {
  if (id_ >= 0 && close_) close_(id_);
}

void Handle::close() {
  if (id_ < 0 || !close_) return;
  quiet();
  const hid_t id = id_;
  id_ = H5I_INVALID_HID;  // HDF5 releases the id even when the close fails: never close it twice
  if (close_(id) < 0)
    throw RuntimeError("HDF5: cannot close " + (name_.empty() ? std::string("an object") : name_) +
                       ": its data could not be written (is the disk full?)");
}

Handle create_file(const std::string& path) {
  quiet();
  Handle fcpl(check(H5Pcreate(H5P_FILE_CREATE), "create a property list"), H5Pclose);
  check_status(H5Pset_userblock(fcpl.id(), kUserBlock), "reserve the checksum block");
  // Chunk index B-trees of rank 4 (8 entries a node, 32 by default): every dataset is chunked
  // for its checksum, and most hold a single chunk, for which HDF5's default node of 64
  // entries nearly doubled a small results file (1,000 paths: 0.55 MB before chunking, 1.02 MB
  // with default nodes, 0.62 MB with these).
  check_status(H5Pset_istore_k(fcpl.id(), 4), "set the chunk index node size");
  // A close with objects still open fails instead of leaving the file open behind our back.
  Handle fapl(check(H5Pcreate(H5P_FILE_ACCESS), "create a property list"), H5Pclose);
  check_status(H5Pset_fclose_degree(fapl.id(), H5F_CLOSE_SEMI), "set the close degree");
  return Handle(check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.id(), fapl.id()), "create file " + path), H5Fclose,
                "file " + path);
}

void finish_file(Handle& file, const std::string& path) {
  file.close();
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  if (ec || size < kUserBlock) throw RuntimeError("cannot read back " + path);
  bool ok = false;
  const std::uint64_t checksum = file_checksum(path, size - kUserBlock, ok, kUserBlock);
  if (!ok) throw RuntimeError("cannot read back " + path);
  char record[64];
  const int length =
      std::snprintf(record, sizeof record, "%s%016" PRIx64 " %" PRIu64 "\n", kChecksumTag, checksum, size - kUserBlock);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) io_failure("open", path);
  if (::pwrite(fd, record, static_cast<std::size_t>(length), 0) != length) {
    const int error = errno;
    ::close(fd);
    errno = error;
    io_failure("write the checksum into", path);
  }
  if (::close(fd) != 0) io_failure("close", path);
}

std::optional<Handle> open_file(const std::string& path) {
  quiet();
  if (auto problem = checksum_problem(path)) throw RuntimeError(*problem);
  if (H5Fis_hdf5(path.c_str()) <= 0) return std::nullopt;
  const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) throw RuntimeError("HDF5 cannot open it (truncated or damaged)");
  Handle file(id, H5Fclose, "file " + path);
  // mppmc writes a checksum into every user block; a user block without one lost it.
  Handle fcpl(check(H5Fget_create_plist(file.id()), "read the creation properties of " + path), H5Pclose);
  hsize_t block = 0;
  check_status(H5Pget_userblock(fcpl.id(), &block), "read the user block size of " + path);
  if (block > 0 && user_block(path).compare(0, sizeof kChecksumTag - 1, kChecksumTag) != 0)
    throw RuntimeError("its checksum record is missing");
  return file;
}

Handle create_group(hid_t parent, const std::string& name) {
  quiet();
  Handle gcpl = untimed(H5P_GROUP_CREATE);
  return Handle(check(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, gcpl.id(), H5P_DEFAULT), "create group " + name),
                H5Gclose, "group " + name);
}

Handle open_group(hid_t parent, const std::string& name) {
  quiet();
  return Handle(check(H5Gopen2(parent, name.c_str(), H5P_DEFAULT), "open group " + path_of(parent, name)), H5Gclose,
                "group " + name);
}

bool exists(hid_t parent, const std::string& path) {
  quiet();
  // Check each component, as H5Lexists requires.
  std::size_t pos = 0;
  while (true) {
    const std::size_t slash = path.find('/', pos);
    const std::string prefix = path.substr(0, slash);
    if (H5Lexists(parent, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (slash == std::string::npos) return true;
    pos = slash + 1;
  }
}

void write_attribute(hid_t object, const std::string& name, const std::string& value) {
  Handle type = string_type();
  const char* text = value.c_str();
  write_attribute_raw(object, name, type.id(), type.id(), &text);
}

void write_attribute(hid_t object, const std::string& name, std::int64_t value) {
  write_attribute_raw(object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

void write_attribute(hid_t object, const std::string& name, std::uint64_t value) {
  write_attribute_raw(object, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value);
}

void write_attribute(hid_t object, const std::string& name, double value) {
  write_attribute_raw(object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

void write_dataset(hid_t parent, const std::string& name, const std::vector<hsize_t>& dims, const double* data) {
  create_and_write(parent, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, dims, data);
}

void write_dataset(hid_t parent, const std::string& name, const std::vector<std::int32_t>& data) {
  create_and_write(parent, name, H5T_STD_I32LE, H5T_NATIVE_INT32, {data.size()}, data.data());
}

void write_dataset(hid_t parent, const std::string& name, const std::vector<std::string>& data) {
  quiet();
  Handle type = string_type();
  std::vector<const char*> pointers;
  for (const std::string& s : data) pointers.push_back(s.c_str());
  create_and_write(parent, name, type.id(), type.id(), {data.size()}, pointers.data());
}

void write_compressed(hid_t parent, const std::string& name, hsize_t rows, hsize_t cols, const float* data) {
  create_and_write(parent, name, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {rows, cols}, data, true);
}

void create_matrix(hid_t parent, const std::string& name, hsize_t rows, hsize_t cols) {
  quiet();
  Handle space = simple_space({rows, cols});
  Handle dcpl = checked_layout({rows, cols}, name, H5T_IEEE_F64LE);
  // Storage allocated now, not at the first write: rows written in any order, by whichever
  // thread comes first, leave the same file (every chunk has its place from the start).
  check_status(H5Pset_alloc_time(dcpl.id(), H5D_ALLOC_TIME_EARLY), "set allocation time for " + name);
  // Every row is written before the file is committed, so no chunk needs a fill value first
  // (writing one would write the whole dataset twice).
  check_status(H5Pset_fill_time(dcpl.id(), H5D_FILL_TIME_NEVER), "set fill time for " + name);
  Handle set(check(H5Dcreate2(parent, name.c_str(), H5T_IEEE_F64LE, space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
                   "create dataset " + name),
             H5Dclose, "dataset " + name);
  set.close();
}

void write_rows(hid_t set, hsize_t first, hsize_t count, hsize_t cols, const double* data) {
  if (count == 0 || cols == 0) return;
  quiet();
  Handle file_space(check(H5Dget_space(set), "read a dataspace"), H5Sclose);
  const hsize_t start[2] = {first, 0}, size[2] = {count, cols};
  check_status(H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, start, nullptr, size, nullptr), "select rows");
  Handle memory = simple_space({count, cols});
  check_status(H5Dwrite(set, H5T_NATIVE_DOUBLE, memory.id(), file_space.id(), H5P_DEFAULT, data), "write rows");
}

std::uint32_t fletcher32(const unsigned char* data, std::size_t bytes) {
  // As H5checksum.c: 360 words at most between reductions, so that the 32-bit sums cannot
  // overflow; an odd last byte counts as the high byte of a word.
  std::size_t words = bytes / 2;
  std::uint32_t sum1 = 0, sum2 = 0;
  while (words > 0) {
    const std::size_t run = std::min<std::size_t>(words, 360);
    words -= run;
    for (std::size_t k = 0; k < run; ++k, data += 2) {
      sum1 += static_cast<std::uint32_t>(data[0]) << 8 | data[1];
      sum2 += sum1;
    }
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  }
  if (bytes % 2 != 0) {
    sum1 += static_cast<std::uint32_t>(*data) << 8;
    sum2 += sum1;
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  }
  sum1 = (sum1 & 0xffff) + (sum1 >> 16);
  sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  return sum2 << 16 | sum1;
}

void filter_chunk(const std::vector<double>& values, std::vector<unsigned char>& stored) {
  const std::size_t bytes = values.size() * sizeof(double);
  stored.resize(bytes + 4);
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(stored.data(), values.data(), bytes);
  } else {
    for (std::size_t i = 0; i < values.size(); ++i) {
      const auto bits = std::bit_cast<std::uint64_t>(values[i]);
      for (std::size_t k = 0; k < 8; ++k) stored[8 * i + k] = static_cast<unsigned char>(bits >> (8 * k));
    }
  }
  const std::uint32_t sum = fletcher32(stored.data(), bytes);
  for (std::size_t k = 0; k < 4; ++k) stored[bytes + k] = static_cast<unsigned char>(sum >> (8 * k));
}

void write_filtered_chunk(hid_t set, hsize_t first, const std::vector<unsigned char>& stored) {
  quiet();
  const hsize_t offset[2] = {first, 0};
  check_status(H5Dwrite_chunk(set, H5P_DEFAULT, 0, offset, stored.size(), stored.data()), "write a chunk");
}

void write_rows(hid_t parent, const std::string& name, hsize_t first, hsize_t count, hsize_t cols, const double* data) {
  if (count == 0 || cols == 0) return;
  quiet();
  Handle set(check(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "open dataset " + name), H5Dclose, "dataset " + name);
  write_rows(set.id(), first, count, cols, data);
  set.close();
}

Handle open_matrix(hid_t parent, const std::string& name, std::size_t cache_bytes) {
  quiet();
  Handle dapl(check(H5Pcreate(H5P_DATASET_ACCESS), "create a property list"), H5Pclose);
  // A prime number of hash slots, well above the chunks the cache can hold.
  check_status(H5Pset_chunk_cache(dapl.id(), 12421, cache_bytes, 1.0), "set the chunk cache of " + name);
  return Handle(check(H5Dopen2(parent, name.c_str(), dapl.id()), "open dataset " + name), H5Dclose, "dataset " + name);
}

Handle open_or_create_group(hid_t parent, const std::string& path) {
  std::size_t pos = 0;
  while (true) {
    const std::size_t slash = path.find('/', pos);
    const std::string prefix = path.substr(0, slash);
    if (!exists(parent, prefix)) create_group(parent, prefix).close();
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  return open_group(parent, path);
}

void check_dataset(hid_t parent, const std::string& name, const std::vector<hsize_t>& shape, bool numeric) {
  auto [set, count] = open_shaped(parent, name, shape);
  Handle type(check(H5Dget_type(set.id()), "read the type of " + path_of(parent, name)), H5Tclose);
  const H5T_class_t kind = H5Tget_class(type.id());
  if (numeric ? kind != H5T_FLOAT && kind != H5T_INTEGER : kind != H5T_STRING)
    throw RuntimeError("dataset " + path_of(parent, name) + " holds " + (numeric ? "no numbers" : "no strings"));
}

void make_scale(hid_t parent, const std::string& name) {
  quiet();
  Handle set(check(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "open dataset " + name), H5Dclose, "dataset " + name);
  check_status(H5DSset_scale(set.id(), name.c_str()), "make " + name + " a dimension scale");
  set.close();
}

void create_dimension(hid_t parent, const std::string& name, hsize_t size) {
  quiet();
  Handle space = simple_space({size});
  // As netCDF-C writes it (nc4hdf.c), but with the layout of every other numeric dataset: never
  // written, so no chunk is ever stored; the NAME attribute tells netCDF readers it has no values.
  Handle dcpl = checked_layout({size}, name, H5T_IEEE_F32BE);
  check_status(H5Pset_fill_time(dcpl.id(), H5D_FILL_TIME_NEVER), "set fill time for " + name);
  Handle set(check(H5Dcreate2(parent, name.c_str(), H5T_IEEE_F32BE, space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
                   "create dimension " + name),
             H5Dclose, "dimension " + name);
  char label[96];
  std::snprintf(label, sizeof label, "This is a netCDF dimension but not a netCDF variable.%10llu",
                static_cast<unsigned long long>(size));
  check_status(H5DSset_scale(set.id(), label), "make " + name + " a dimension");
  set.close();
}

void link_scale(hid_t group, const std::string& scale_path, const std::string& name) {
  quiet();
  check_status(H5Lcreate_hard(group, scale_path.c_str(), group, name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
               "link " + scale_path + " as " + path_of(group, name));
}

void label_dataset(hid_t parent, const std::string& name, const Labels& labels) {
  quiet();
  Handle set(check(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "open dataset " + path_of(parent, name)), H5Dclose,
             "dataset " + name);
  write_attribute(set.id(), "units", labels.units);
  write_attribute(set.id(), "long_name", labels.long_name);
  if (!labels.dims.empty()) {
    const std::vector<hsize_t> shape = shape_of(set.id(), path_of(parent, name));
    if (shape.size() != labels.dims.size())
      throw RuntimeError("HDF5: " + path_of(parent, name) + " has " + std::to_string(shape.size()) + " axes, given " +
                         std::to_string(labels.dims.size()) + " dimensions");
    for (std::size_t axis = 0; axis < shape.size(); ++axis) {
      const std::string& dim = labels.dims[axis];
      Handle scale(check(H5Dopen2(parent, dim.c_str(), H5P_DEFAULT), "open dimension scale " + dim), H5Dclose,
                   "dimension scale " + dim);
      check_status(H5DSattach_scale(set.id(), scale.id(), static_cast<unsigned>(axis)),
                   "attach dimension " + dim + " to " + path_of(parent, name));
      scale.close();
    }
  }
  set.close();
}

bool is_dimension_scale(hid_t parent, const std::string& name) {
  quiet();
  Handle set(check(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "open dataset " + path_of(parent, name)), H5Dclose);
  const htri_t scale = H5DSis_scale(set.id());
  check_status(scale, "check whether " + path_of(parent, name) + " is a dimension scale");
  return scale > 0;
}

bool has_attribute(hid_t object, const std::string& name) {
  quiet();
  return H5Aexists(object, name.c_str()) > 0;
}

std::string read_string_attribute(hid_t object, const std::string& name) {
  Handle attr = open_scalar_attribute(object, name);
  Handle file_type(check(H5Aget_type(attr.id()), "read the type of attribute " + name), H5Tclose);
  if (H5Tget_class(file_type.id()) != H5T_STRING)
    throw RuntimeError("HDF5: attribute " + name + " of " + path_of(object, "") + " is not a string");
  if (H5Tis_variable_str(file_type.id()) > 0) {
    Handle type = string_type();
    char* text = nullptr;
    check_status(H5Aread(attr.id(), type.id(), &text), "read attribute " + name);
    std::string value = text ? text : "";
    H5free_memory(text);
    return value;
  }
  const std::size_t size = H5Tget_size(file_type.id());
  if (size == 0 || size > kMaxAxisLength)
    throw RuntimeError("HDF5: attribute " + name + " has a string size of " + std::to_string(size) + " bytes");
  std::string value(size, '\0');
  check_status(H5Aread(attr.id(), file_type.id(), value.data()), "read attribute " + name);
  return value.substr(0, value.find('\0'));
}

std::int64_t read_int_attribute(hid_t object, const std::string& name) {
  Handle attr = open_scalar_attribute(object, name);
  std::int64_t value = 0;
  check_status(H5Aread(attr.id(), H5T_NATIVE_INT64, &value), "read attribute " + name);
  return value;
}

double read_double_attribute(hid_t object, const std::string& name) {
  Handle attr = open_scalar_attribute(object, name);
  double value = 0;
  check_status(H5Aread(attr.id(), H5T_NATIVE_DOUBLE, &value), "read attribute " + name);
  return value;
}

std::vector<double> read_doubles(hid_t parent, const std::string& name, const std::vector<hsize_t>& shape) {
  if (shape.empty()) throw RuntimeError("HDF5: no shape given to read " + name);
  auto [set, count] = open_shaped(parent, name, shape);
  std::vector<double> data(count);
  if (!data.empty())
    check_status(H5Dread(set.id(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()),
                 "read " + path_of(parent, name) + " (damaged data fails its checksum)");
  return data;
}

std::vector<double> read_doubles(hid_t parent, const std::string& name) {
  auto [set, count] = open_shaped(parent, name, {});
  std::vector<double> data(count);
  if (!data.empty())
    check_status(H5Dread(set.id(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()),
                 "read " + path_of(parent, name) + " (damaged data fails its checksum)");
  return data;
}

std::vector<std::int64_t> read_ints(hid_t parent, const std::string& name) {
  auto [set, count] = open_shaped(parent, name, {});
  std::vector<std::int64_t> data(count);
  if (!data.empty())
    check_status(H5Dread(set.id(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()),
                 "read " + path_of(parent, name) + " (damaged data fails its checksum)");
  return data;
}

std::vector<std::string> read_strings(hid_t parent, const std::string& name) {
  auto [set, count] = open_shaped(parent, name, {});
  std::vector<std::string> out;
  if (count == 0) return out;
  Handle type = string_type();
  std::vector<char*> pointers(count, nullptr);
  check_status(H5Dread(set.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()),
               "read " + path_of(parent, name) + " (damaged data fails its checksum)");
  for (char* p : pointers) {
    out.emplace_back(p ? p : "");
    H5free_memory(p);
  }
  return out;
}

std::vector<std::string> list_group(hid_t parent, const std::string& name) {
  Handle group = open_group(parent, name);
  H5G_info_t info;
  check_status(H5Gget_info(group.id(), &info), "list group " + name);
  if (info.nlinks > kMaxAxisLength) throw RuntimeError("HDF5: group " + name + " holds too many objects");
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t size = H5Lget_name_by_idx(group.id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (size < 0) throw RuntimeError("HDF5: cannot list group " + name);
    std::string link(static_cast<std::size_t>(size) + 1, '\0');
    if (H5Lget_name_by_idx(group.id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, link.data(), link.size(), H5P_DEFAULT) < 0)
      throw RuntimeError("HDF5: cannot list group " + name);
    link.resize(static_cast<std::size_t>(size));
    names.push_back(link);
  }
  return names;
}

}  // namespace mppmc::io::h5
