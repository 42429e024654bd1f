#include "io/hdf5_file.h"

#include "core/error.h"

namespace mppmc::io::h5 {

namespace {

// Switch off HDF5's automatic error printing once; we report errors ourselves.
void quiet() {
  static const bool done = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)done;
}

hid_t check(hid_t id, const std::string& what) {
  if (id < 0) throw RuntimeError("HDF5: cannot " + what);
  return id;
}

void check_status(herr_t status, const std::string& what) {
  if (status < 0) throw RuntimeError("HDF5: cannot " + what);
}

// Creation properties without timestamps: byte-identical files for identical content.
Handle untimed(hid_t class_id) {
  Handle plist(check(H5Pcreate(class_id), "create a property list"), H5Pclose);
  check_status(H5Pset_obj_track_times(plist.id(), false), "switch off object timestamps");
  return plist;
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
  Handle space = scalar_space();
  Handle attr(check(H5Acreate2(object, name.c_str(), file_type, space.id(), H5P_DEFAULT, H5P_DEFAULT),
                    "create attribute " + name),
              H5Aclose);
  check_status(H5Awrite(attr.id(), mem_type, value), "write attribute " + name);
}

Handle open_attribute(hid_t object, const std::string& name) {
  return Handle(check(H5Aopen(object, name.c_str(), H5P_DEFAULT), "open attribute " + name), H5Aclose);
}

Handle open_dataset(hid_t parent, const std::string& name) {
  return Handle(check(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "open dataset " + name), H5Dclose);
}

std::size_t element_count(hid_t dataset, std::vector<hsize_t>* dims_out) {
  Handle space(check(H5Dget_space(dataset), "read a dataspace"), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.id());
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  if (rank > 0) H5Sget_simple_extent_dims(space.id(), dims.data(), nullptr);
  std::size_t count = 1;
  for (hsize_t d : dims) count *= d;
  if (dims_out) *dims_out = dims;
  return count;
}

}  // namespace

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    if (id_ >= 0 && close_) close_(id_);
    id_ = other.id_;
    close_ = other.close_;
    other.id_ = H5I_INVALID_HID;
  }
  return *this;
}

Handle::~Handle() {
  if (id_ >= 0 && close_) close_(id_);
}

Handle create_file(const std::string& path) {
  quiet();
  Handle fcpl(check(H5Pcreate(H5P_FILE_CREATE), "create a property list"), H5Pclose);
  return Handle(check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.id(), H5P_DEFAULT), "create file " + path), H5Fclose);
}

std::optional<Handle> open_file(const std::string& path) {
  quiet();
  if (H5Fis_hdf5(path.c_str()) <= 0) return std::nullopt;
  const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) return std::nullopt;
  return Handle(id, H5Fclose);
}

Handle create_group(hid_t parent, const std::string& name) {
  Handle gcpl = untimed(H5P_GROUP_CREATE);
  return Handle(check(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, gcpl.id(), H5P_DEFAULT), "create group " + name),
                H5Gclose);
}

Handle open_group(hid_t parent, const std::string& name) {
  return Handle(check(H5Gopen2(parent, name.c_str(), H5P_DEFAULT), "open group " + name), H5Gclose);
}

bool exists(hid_t parent, const std::string& path) {
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
  Handle space = simple_space(dims);
  Handle dcpl = untimed(H5P_DATASET_CREATE);
  Handle set(check(H5Dcreate2(parent, name.c_str(), H5T_IEEE_F64LE, space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
                   "create dataset " + name),
             H5Dclose);
  check_status(H5Dwrite(set.id(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "write dataset " + name);
}

void write_dataset(hid_t parent, const std::string& name, const std::vector<std::int32_t>& data) {
  Handle space = simple_space({data.size()});
  Handle dcpl = untimed(H5P_DATASET_CREATE);
  Handle set(check(H5Dcreate2(parent, name.c_str(), H5T_STD_I32LE, space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
                   "create dataset " + name),
             H5Dclose);
  check_status(H5Dwrite(set.id(), H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()),
               "write dataset " + name);
}

void write_dataset(hid_t parent, const std::string& name, const std::vector<std::string>& data) {
  Handle type = string_type();
  Handle space = simple_space({data.size()});
  Handle dcpl = untimed(H5P_DATASET_CREATE);
  Handle set(check(H5Dcreate2(parent, name.c_str(), type.id(), space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
                   "create dataset " + name),
             H5Dclose);
  std::vector<const char*> pointers;
  for (const std::string& s : data) pointers.push_back(s.c_str());
  if (!data.empty())
    check_status(H5Dwrite(set.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()),
                 "write dataset " + name);
}

void write_compressed(hid_t parent, const std::string& name, hsize_t rows, hsize_t cols, const float* data) {
  Handle space = simple_space({rows, cols});
  Handle dcpl = untimed(H5P_DATASET_CREATE);
  if (rows > 0 && cols > 0) {
    const hsize_t chunk[2] = {std::min<hsize_t>(rows, std::max<hsize_t>(1, 65536 / cols)), cols};
    check_status(H5Pset_chunk(dcpl.id(), 2, chunk), "set chunking for " + name);
    check_status(H5Pset_shuffle(dcpl.id()), "set shuffle for " + name);
    check_status(H5Pset_deflate(dcpl.id(), 4), "set compression for " + name);
  }
  Handle set(check(H5Dcreate2(parent, name.c_str(), H5T_IEEE_F32LE, space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
                   "create dataset " + name),
             H5Dclose);
  check_status(H5Dwrite(set.id(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "write dataset " + name);
}

void create_matrix(hid_t parent, const std::string& name, hsize_t rows, hsize_t cols) {
  Handle space = simple_space({rows, cols});
  Handle dcpl = untimed(H5P_DATASET_CREATE);
  // Storage allocated now, not at the first write: rows written in any order, by whichever
  // thread comes first, leave the same file. No fill: every row is written.
  check_status(H5Pset_alloc_time(dcpl.id(), H5D_ALLOC_TIME_EARLY), "set allocation time for " + name);
  check_status(H5Pset_fill_time(dcpl.id(), H5D_FILL_TIME_NEVER), "set fill time for " + name);
  Handle set(check(H5Dcreate2(parent, name.c_str(), H5T_IEEE_F64LE, space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
                   "create dataset " + name),
             H5Dclose);
}

void write_rows(hid_t parent, const std::string& name, hsize_t first, hsize_t count, hsize_t cols, const double* data) {
  if (count == 0 || cols == 0) return;
  Handle set(check(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "open dataset " + name), H5Dclose);
  Handle file_space(check(H5Dget_space(set.id()), "read a dataspace"), H5Sclose);
  const hsize_t start[2] = {first, 0}, size[2] = {count, cols};
  check_status(H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, start, nullptr, size, nullptr),
               "select rows of " + name);
  Handle memory = simple_space({count, cols});
  check_status(H5Dwrite(set.id(), H5T_NATIVE_DOUBLE, memory.id(), file_space.id(), H5P_DEFAULT, data),
               "write rows of " + name);
}

Handle open_or_create_group(hid_t parent, const std::string& path) {
  std::size_t pos = 0;
  while (true) {
    const std::size_t slash = path.find('/', pos);
    const std::string prefix = path.substr(0, slash);
    if (!exists(parent, prefix)) create_group(parent, prefix);
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  return open_group(parent, path);
}

bool has_attribute(hid_t object, const std::string& name) {
  return H5Aexists(object, name.c_str()) > 0;
}

std::string read_string_attribute(hid_t object, const std::string& name) {
  Handle attr = open_attribute(object, name);
  Handle file_type(check(H5Aget_type(attr.id()), "read the type of attribute " + name), H5Tclose);
  if (H5Tget_class(file_type.id()) != H5T_STRING) throw RuntimeError("HDF5: attribute " + name + " is not a string");
  if (H5Tis_variable_str(file_type.id()) > 0) {
    Handle type = string_type();
    char* text = nullptr;
    check_status(H5Aread(attr.id(), type.id(), &text), "read attribute " + name);
    std::string value = text ? text : "";
    H5free_memory(text);
    return value;
  }
  const std::size_t size = H5Tget_size(file_type.id());
  std::string value(size, '\0');
  check_status(H5Aread(attr.id(), file_type.id(), value.data()), "read attribute " + name);
  return value.substr(0, value.find('\0'));
}

std::int64_t read_int_attribute(hid_t object, const std::string& name) {
  Handle attr = open_attribute(object, name);
  std::int64_t value = 0;
  check_status(H5Aread(attr.id(), H5T_NATIVE_INT64, &value), "read attribute " + name);
  return value;
}

double read_double_attribute(hid_t object, const std::string& name) {
  Handle attr = open_attribute(object, name);
  double value = 0;
  check_status(H5Aread(attr.id(), H5T_NATIVE_DOUBLE, &value), "read attribute " + name);
  return value;
}

std::vector<double> read_doubles(hid_t parent, const std::string& name, std::vector<hsize_t>* dims) {
  Handle set = open_dataset(parent, name);
  std::vector<double> data(element_count(set.id(), dims));
  if (!data.empty())
    check_status(H5Dread(set.id(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), "read " + name);
  return data;
}

std::vector<std::int64_t> read_ints(hid_t parent, const std::string& name) {
  Handle set = open_dataset(parent, name);
  std::vector<std::int64_t> data(element_count(set.id(), nullptr));
  if (!data.empty())
    check_status(H5Dread(set.id(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), "read " + name);
  return data;
}

std::vector<std::string> read_strings(hid_t parent, const std::string& name) {
  Handle set = open_dataset(parent, name);
  const std::size_t count = element_count(set.id(), nullptr);
  std::vector<std::string> out;
  if (count == 0) return out;
  Handle type = string_type();
  std::vector<char*> pointers(count, nullptr);
  check_status(H5Dread(set.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()), "read " + name);
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
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t size = H5Lget_name_by_idx(group.id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    std::string link(static_cast<std::size_t>(size) + 1, '\0');
    H5Lget_name_by_idx(group.id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, link.data(), link.size(), H5P_DEFAULT);
    link.resize(static_cast<std::size_t>(size));
    names.push_back(link);
  }
  return names;
}

}  // namespace mppmc::io::h5
