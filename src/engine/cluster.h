#pragma once
// The processes of a run across machines (MPI, built with -DMPPMC_WITH_MPI=ON and started with
// mpirun). Without MPI, or under a plain start, there is one process, rank 0. Work is split by
// blocks (or chunks) of paths, round robin over the ranks; every path's numbers are a pure
// function of its address, and rank 0 merges in block order, so a run over K processes writes
// the same file, bit for bit, as a run in one.
#include <cstdint>
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

}  // namespace mppmc
