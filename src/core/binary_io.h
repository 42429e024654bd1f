#pragma once
// Plain values to and from binary streams (checkpoints). Native byte order: a checkpoint
// resumes on the kind of machine that wrote it.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "core/atomic_file.h"
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
  return static_cast<bool>(
      in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(double))));
}

//! A 64-bit checksum of `bytes` bytes of the file `path` from byte `offset` on (8-byte words,
//! each mixed in by xor, rotate and multiply; a last partial word zero-padded): it detects
//! damage (a flipped bit, a block of 0xff, a truncation), not tampering. Sets `ok` false when
//! the file cannot be read that far. docs/hdf5-schema.md states the algorithm for readers.
inline std::uint64_t file_checksum(const std::string& path, std::uint64_t bytes, bool& ok, std::uint64_t offset = 0) {
  std::ifstream in(path, std::ios::binary);
  std::uint64_t hash = 0x6d70706d63636b31ull ^ bytes;  // "mppmcck1", and the length
  std::vector<char> buffer(1 << 20);
  ok = static_cast<bool>(in) && static_cast<bool>(in.seekg(static_cast<std::streamoff>(offset)));
  for (std::uint64_t done = 0; ok && done < bytes;) {
    const auto chunk = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), bytes - done));
    ok = static_cast<bool>(in.read(buffer.data(), static_cast<std::streamsize>(chunk)));
    for (std::size_t i = 0; ok && i < chunk; i += 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, buffer.data() + i, std::min<std::size_t>(8, chunk - i));
      hash = std::rotl(hash ^ word, 29) * 0x9e3779b97f4a7c15ull;
    }
    done += chunk;
  }
  return hash;
}

//! Writes `path` all or nothing: `body` writes a temporary file beside it (temporary_name: one
//! per process), an 8-byte checksum of everything before it is appended (file_checksum), the
//! file is forced to disk and then replaces `path` in one rename (publish), so a reader (or a
//! resumed run) never sees half a checkpoint, and has_valid_checksum tells a damaged one. Every
//! write and the close are checked: a failure (a full disk) throws RuntimeError naming the
//! file, removes the temporary and leaves an earlier `path` as it was.
template <typename Body>
void write_atomically(const std::string& path, const Body& body) {
  const std::string temporary = temporary_name(path);
  try {
    std::uint64_t bytes = 0;
    {
      std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
      if (!out) throw RuntimeError("cannot create " + temporary);
      body(out);
      if (!out.flush()) throw RuntimeError("cannot write " + temporary + " (is the disk full?)");
      bytes = static_cast<std::uint64_t>(out.tellp());
      out.close();
      if (out.fail()) throw RuntimeError("cannot close " + temporary);
    }
    bool ok = false;
    const std::uint64_t checksum = file_checksum(temporary, bytes, ok);
    if (!ok) throw RuntimeError("cannot read back " + temporary);
    std::ofstream out(temporary, std::ios::binary | std::ios::app);
    write_value(out, checksum);
    out.close();
    if (out.fail()) throw RuntimeError("cannot write " + temporary + " (is the disk full?)");
  } catch (...) {
    discard(temporary);
    throw;
  }
  publish(temporary, path);
}

//! Whether the file `path`, written by write_atomically, ends in the checksum of the rest.
inline bool has_valid_checksum(const std::string& path) {
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  if (ec || size < sizeof(std::uint64_t)) return false;
  const std::uint64_t bytes = size - sizeof(std::uint64_t);
  bool ok = false;
  const std::uint64_t expected = file_checksum(path, bytes, ok);
  std::ifstream in(path, std::ios::binary);
  std::uint64_t stored = 0;
  return ok && in.seekg(static_cast<std::streamoff>(bytes)) && read_value(in, stored) && stored == expected;
}

}  // namespace mppmc
