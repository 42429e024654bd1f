#pragma once
// The processes of a run across machines (MPI, built with -DMPPMC_WITH_MPI=ON and started with
// mpirun). Without MPI, or under a plain start, there is one process, rank 0. Work is split by
// blocks (or chunks) of paths, round robin over the ranks; every path's numbers are a pure
// function of its address, and rank 0 merges in block order, so a run over K processes writes
// the same file, bit for bit, as a run in one.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <vector>

namespace mppmc {

//! Starts MPI when built with it (a no-op otherwise). Call once, first thing in main.
void cluster_start(int* argc, char*** argv);
//! Ends MPI when built with it.
void cluster_stop();
int cluster_rank();
int cluster_size();
//! Every rank's buffer, at rank 0, in rank order (other ranks get an empty list).
std::vector<std::vector<char>> gather_at_root(const std::vector<char>& mine);
//! Rank 0's value at every rank.
void broadcast_from_root(double* values, int count);

//! What every process computed of its share of `chunks` chunks (chunk % ranks == rank), at rank
//! 0: each other process packs a prefix (e.g. its merged sketches) and then each of its chunks in
//! ascending order; rank 0 unpacks every other process's bytes, process by process, in the same
//! order. Nothing happens in a run of one process.
void gather_chunks_at_root(std::int64_t chunks, const std::function<void(std::ostream&)>& pack_prefix,
                           const std::function<void(std::int64_t chunk, std::ostream&)>& pack_chunk,
                           const std::function<void(std::istream&)>& unpack_prefix,
                           const std::function<void(std::int64_t chunk, std::istream&)>& unpack_chunk);

}  // namespace mppmc
