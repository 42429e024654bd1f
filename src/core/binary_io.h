#pragma once
// Plain values to and from binary streams (checkpoints). Native byte order: a checkpoint
// resumes on the kind of machine that wrote it.
#include <filesystem>
#include <fstream>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "core/error.h"

namespace mppmc {

template <typename T>
void write_value(std::ostream& out, const T& value) {
  out.write(reinterpret_cast<const char*>(&value), sizeof value);
}

template <typename T>
bool read_value(std::istream& in, T& value) {
  return static_cast<bool>(in.read(reinterpret_cast<char*>(&value), sizeof value));
}

//! The whole vector (its size is known to the reader).
inline void write_values(std::ostream& out, const std::vector<double>& v) {
  out.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(double)));
}
inline bool read_values(std::istream& in, std::vector<double>& v) {
  return static_cast<bool>(in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(double))));
}

//! Writes `path` all or nothing: `body` writes a temporary file beside it, which then replaces
//! `path` in one rename, so a reader (or a resumed run) never sees half a checkpoint.
template <typename Body>
void write_atomically(const std::string& path, const Body& body) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw RuntimeError("cannot write " + temporary);
    body(out);
    if (!out.flush()) throw RuntimeError("cannot write " + temporary);
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) throw RuntimeError("cannot move " + temporary + " into place at " + path + ": " + ec.message());
}

}  // namespace mppmc
