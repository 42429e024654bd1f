#pragma once
// A thin RAII layer over the HDF5 C API: just what the results writer and reader need.
// Every failure becomes a RuntimeError naming the object; HDF5's own error stack printing is
// switched off so that users see one clear message.
#include <hdf5.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mppmc::io::h5 {

//! Owns an hid_t and closes it with the right H5*close.
class Handle {
 public:
  Handle() = default;
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Handle(Handle&& other) noexcept : id_(other.id_), close_(other.close_) { other.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle();
  hid_t id() const { return id_; }

 private:
  hid_t id_ = H5I_INVALID_HID;
  herr_t (*close_)(hid_t) = nullptr;
};

//! Creates (truncating) a file whose objects carry no timestamps, so identical content gives
//! identical bytes.
Handle create_file(const std::string& path);
//! Opens an existing file read-only; nullopt when it is not an HDF5 file or cannot be opened.
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
//! An empty float64 [rows, cols] dataset to be filled by write_rows.
void create_matrix(hid_t parent, const std::string& name, hsize_t rows, hsize_t cols);
//! Rows [first, first + count) of a dataset made by create_matrix, from row-major data.
void write_rows(hid_t parent, const std::string& name, hsize_t first, hsize_t count, hsize_t cols, const double* data);
//! Opens `path` (a/b/c) under parent, creating the groups that are missing.
Handle open_or_create_group(hid_t parent, const std::string& path);
//! Float32 [rows, cols] dataset, chunked by rows and deflate-compressed (for per-path series).
void write_compressed(hid_t parent, const std::string& name, hsize_t rows, hsize_t cols, const float* data);

bool has_attribute(hid_t object, const std::string& name);
std::string read_string_attribute(hid_t object, const std::string& name);
std::int64_t read_int_attribute(hid_t object, const std::string& name);
double read_double_attribute(hid_t object, const std::string& name);
std::vector<double> read_doubles(hid_t parent, const std::string& name, std::vector<hsize_t>* dims = nullptr);
std::vector<std::int64_t> read_ints(hid_t parent, const std::string& name);
std::vector<std::string> read_strings(hid_t parent, const std::string& name);
std::vector<std::string> list_group(hid_t parent, const std::string& name);

}  // namespace mppmc::io::h5
