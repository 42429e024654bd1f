#pragma once
// The frame both drivers' checkpoints share: an 8-byte magic naming the kind of run, the
// fingerprint of everything that determines the numbers, the number of paths; then the
// driver's own state; then a checksum of all that. Written atomically (write_atomically); read
// back with the same errors for every kind, a damaged file refused before any of it is used.
// Internal to src/engine.
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>

#include "core/binary_io.h"
#include "core/error.h"

namespace mppmc::detail {

using CheckpointMagic = char[8];

inline void write_checkpoint_header(std::ostream& out, const CheckpointMagic& magic, std::uint64_t fingerprint,
                                    std::int64_t paths) {
  out.write(magic, sizeof magic);
  write_value(out, fingerprint);
  write_value(out, paths);
}

//! The error for a checkpoint of other inputs (scenario, seed, paths, settings or version).
inline InputError other_inputs(const std::string& path) {
  return InputError(path +
                    ": this checkpoint was written for other inputs (scenario, seed, paths, settings or mppmc "
                    "version); remove it, or run without --resume to start afresh");
}

//! The error for a checkpoint that ends early or does not read back.
inline InputError damaged_checkpoint(const std::string& path) {
  return InputError(path + ": the checkpoint is truncated or damaged; remove it and start afresh");
}

//! Opens `path` and checks its frame against this run: the stream stands after the header.
inline std::ifstream open_checkpoint(const std::string& path, const CheckpointMagic& magic, std::uint64_t fingerprint,
                                     std::int64_t paths) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": no checkpoint to resume from (run without --resume to start afresh)");
  char stored_magic[sizeof magic];
  std::uint64_t stored_fingerprint = 0;
  std::int64_t stored_paths = 0;
  if (!in.read(stored_magic, sizeof stored_magic) || std::memcmp(stored_magic, magic, sizeof magic) != 0)
    throw InputError(path + ": not a checkpoint of this kind of mppmc run (resume with the command that wrote it)");
  if (!has_valid_checksum(path) || !read_value(in, stored_fingerprint) || !read_value(in, stored_paths))
    throw damaged_checkpoint(path);
  if (stored_fingerprint != fingerprint || stored_paths != paths) throw other_inputs(path);
  return in;
}

}  // namespace mppmc::detail
