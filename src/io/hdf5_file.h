#pragma once
// A thin RAII layer over the HDF5 C API: just what the results writer and reader need.
// Every failure becomes a RuntimeError naming the object; HDF5's own error stack printing is
// switched off in every thread that calls in here (HDF5 keeps that setting per thread), so
// that users see one clear message.
//
// Writing: every dataset is chunked and carries HDF5's Fletcher32 checksum filter, so that any
// HDF5 reader detects damage to its data; a file made by create_file has a 512-byte user block
// that finish_file fills with a checksum of everything after it, which open_file verifies
// before HDF5 parses a byte (docs/hdf5-schema.md, "Checksums"). Closes that can write
// (datasets, attributes, groups, files) are checked: Handle::close().
#include <hdf5.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mppmc::io::h5 {

//! Owns an hid_t and closes it exactly once with the right H5*close.
class Handle {
 public:
  Handle() = default;
  //! `name`: what the object is, for messages ("dataset quantiles").
  Handle(hid_t id, herr_t (*close)(hid_t), std::string name = {});
  Handle(Handle&& other) noexcept;
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  //! Closes an object still open and ignores the result: only for a failure path, where the
  //! file is discarded, or for objects whose close does no I/O (dataspaces, types, lists).
  ~Handle();
  hid_t id() const { return id_; }
  //! Closes now, flushing what the object holds; throws RuntimeError when that fails (a full
  //! disk). Either way the handle is closed afterwards (HDF5 releases the id) and never
  //! closed again.
  void close();

 private:
  hid_t id_ = H5I_INVALID_HID;
  herr_t (*close_)(hid_t) = nullptr;
  std::string name_;
};

//! Creates (truncating) a file whose objects carry no timestamps, so identical content gives
//! identical bytes, with a 512-byte user block for finish_file's checksum.
Handle create_file(const std::string& path);
//! Closes a file made by create_file and checks that everything reached it (every object must
//! be closed before), then writes the checksum of its contents into its user block. Throws
//! RuntimeError naming `path`. The file is not yet forced to disk (core/atomic_file.h publish).
void finish_file(Handle& file, const std::string& path);
//! Opens an existing file read-only; nullopt when it is not an HDF5 file. When the file has
//! mppmc's checksum, verifies it first; throws RuntimeError saying why when the checksum does
//! not match (a damaged or truncated file) or HDF5 cannot open a file that looks like HDF5.
std::optional<Handle> open_file(const std::string& path);
Handle create_group(hid_t parent, const std::string& name);
Handle open_group(hid_t parent, const std::string& name);
bool exists(hid_t parent, const std::string& path);

void write_attribute(hid_t object, const std::string& name, const std::string& value);
void write_attribute(hid_t object, const std::string& name, std::int64_t value);
void write_attribute(hid_t object, const std::string& name, std::uint64_t value);
void write_attribute(hid_t object, const std::string& name, double value);

//! Float64 dataset of the given shape (row-major).
void write_dataset(hid_t parent, const std::string& name, const std::vector<hsize_t>& dims, const double* data);
void write_dataset(hid_t parent, const std::string& name, const std::vector<std::int32_t>& data);
//! Variable-length UTF-8 strings, 1-D.
void write_dataset(hid_t parent, const std::string& name, const std::vector<std::string>& data);
//! Rows per chunk of a [rows, cols] numeric dataset: chunks run along the first dimension and
//! hold at most 65,536 values.
hsize_t chunk_rows(hsize_t rows, hsize_t cols);
//! An empty float64 [rows, cols] dataset to be filled by write_rows (chunks of chunk_rows rows).
void create_matrix(hid_t parent, const std::string& name, hsize_t rows, hsize_t cols);
//! Rows [first, first + count) of a dataset made by create_matrix, from row-major data.
void write_rows(hid_t parent, const std::string& name, hsize_t first, hsize_t count, hsize_t cols, const double* data);
//! Opens a dataset made by create_matrix for many write_rows, with a chunk cache of
//! `cache_bytes`: rows that arrive block by block (in any order) fill their chunks in memory,
//! and each chunk is checksummed and written once, when it leaves the cache or the dataset is
//! closed (instead of read, changed and written again for every block).
Handle open_matrix(hid_t parent, const std::string& name, std::size_t cache_bytes);
void write_rows(hid_t set, hsize_t first, hsize_t count, hsize_t cols, const double* data);
//! One whole chunk of a float64 dataset made by create_matrix (`values`: chunk_rows x cols
//! values, padded past the dataset's last row) as HDF5's filter pipeline would store it: the
//! values as little-endian bytes, then their Fletcher32 checksum as a little-endian 32-bit
//! number (H5Zfletcher32.c). No HDF5 call: any thread may run it, for write_filtered_chunk.
void filter_chunk(const std::vector<double>& values, std::vector<unsigned char>& stored);
//! Writes a chunk from filter_chunk directly (H5Dwrite_chunk) at rows [first, first +
//! chunk_rows) (first a multiple of chunk_rows): the bytes write_rows would leave in the file,
//! without HDF5's chunk cache, filter pipeline and their copies of the data.
void write_filtered_chunk(hid_t set, hsize_t first, const std::vector<unsigned char>& stored);
//! HDF5's Fletcher32 (H5_checksum_fletcher32): sums of the data as big-endian 16-bit words.
std::uint32_t fletcher32(const unsigned char* data, std::size_t bytes);
//! Opens `path` (a/b/c) under parent, creating the groups that are missing.
Handle open_or_create_group(hid_t parent, const std::string& path);
//! Float32 [rows, cols] dataset, chunked by rows and deflate-compressed (for per-path series).
void write_compressed(hid_t parent, const std::string& name, hsize_t rows, hsize_t cols, const float* data);

// Dimensions: HDF5 dimension scales (H5DS, libhdf5_hl), the form netCDF-4 gives its dimensions,
// so that netCDF-C (ncdump), h5netcdf and xarray name every axis of a dataset and label it with
// the scale's values (docs/hdf5-schema.md, "Dimensions").

//! Makes the 1-D dataset `name` under `parent` the scale of the dimension `name`: its values
//! label the positions of every axis attached to it.
void make_scale(hid_t parent, const std::string& name);
//! The dimension `name` of `size` positions without values (netCDF-4's "dimension but not a
//! variable"): a float32 dataset of that size whose chunks are never written.
void create_dimension(hid_t parent, const std::string& name, hsize_t size);
//! A hard link `name` in `group` to the scale at the absolute path `scale_path`: the same object
//! (no copy), visible to readers that look for a dimension's values in the dataset's own group.
void link_scale(hid_t group, const std::string& scale_path, const std::string& name);
//! What a dataset holds, for readers that know no mppmc schema (CF conventions): `units`
//! ("persons/month", "percent", "1") and `long_name`; `dims`, one scale path per axis (a name in
//! the dataset's group, or absolute), empty for a scale itself.
struct Labels {
  std::string units;
  std::string long_name;
  std::vector<std::string> dims;
};
//! Writes the attributes units and long_name of dataset `name` under `parent` and attaches the
//! scale labels.dims[i] to its axis i; throws RuntimeError when the ranks differ.
void label_dataset(hid_t parent, const std::string& name, const Labels& labels);
//! Whether `name` under `parent` is a dimension scale (not data).
bool is_dimension_scale(hid_t parent, const std::string& name);

// Reading. A file may be damaged or crafted: every read checks the object's shape (and an
// attribute's element count) before it reads, and throws RuntimeError naming the object and
// the shapes when they differ, never reading past a buffer.

bool has_attribute(hid_t object, const std::string& name);
//! Scalar (one-element) attributes.
std::string read_string_attribute(hid_t object, const std::string& name);
std::int64_t read_int_attribute(hid_t object, const std::string& name);
double read_double_attribute(hid_t object, const std::string& name);
//! A float64 dataset whose shape is exactly `shape`.
std::vector<double> read_doubles(hid_t parent, const std::string& name, const std::vector<hsize_t>& shape);
//! A 1-D dataset of any length up to kMaxAxisLength (an axis: percentiles, years, months, names).
std::vector<double> read_doubles(hid_t parent, const std::string& name);
std::vector<std::int64_t> read_ints(hid_t parent, const std::string& name);
std::vector<std::string> read_strings(hid_t parent, const std::string& name);
//! Checks that dataset `name` has exactly `shape` and holds numbers (`numeric`) or strings,
//! reading no data; throws RuntimeError naming the dataset otherwise.
void check_dataset(hid_t parent, const std::string& name, const std::vector<hsize_t>& shape, bool numeric);
//! The longest 1-D axis a reader accepts: far above any real file (1,200 months, 101 years).
constexpr hsize_t kMaxAxisLength = 1u << 20;
std::vector<std::string> list_group(hid_t parent, const std::string& name);

}  // namespace mppmc::io::h5
