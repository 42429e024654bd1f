#pragma once
// Plain values to and from binary streams (checkpoints). Native byte order: a checkpoint
// resumes on the kind of machine that wrote it.
#include <istream>
#include <ostream>

namespace mppmc {

template <typename T>
void write_value(std::ostream& out, const T& value) {
  out.write(reinterpret_cast<const char*>(&value), sizeof value);
}

template <typename T>
bool read_value(std::istream& in, T& value) {
  return static_cast<bool>(in.read(reinterpret_cast<char*>(&value), sizeof value));
}

}  // namespace mppmc
